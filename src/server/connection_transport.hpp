// A connection's bytes in and out: the socket itself, or TLS over it. The sessions read, write and wait through
// this one class, so that they are written once for both; the plain path is the socket's own call behind one
// predictable branch.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <memory>
#include <span>
#include <utility>

#include <boost/asio/append.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/socket_base.hpp>

#include "protocol/net.hpp"
#include "server/connection_types.hpp"
#include "server/tls_connection.hpp"

namespace wshub {

class ConnectionTransport {
 public:
  using Wait = asio::socket_base::wait_type;

  explicit ConnectionTransport(ConnectionSocket socket) : socket_(std::move(socket)) {}
  // TLS on the socket, its handshake still to come.
  ConnectionTransport(ConnectionSocket socket, TlsContext const& tls);

  ConnectionExecutor get_executor() { return socket_.get_executor(); }
  bool is_tls() const { return tls_ != nullptr; }
  ConnectionSocket& socket() { return socket_; }
  ConnectionSocket const& socket() const { return socket_; }

  // Non-blocking, as the socket's calls: asio::error::would_block means wait, then call again.
  std::size_t read_some(asio::mutable_buffer buffer, error_code& error) {
    if (tls_) [[unlikely]] {
      return tls_->read({static_cast<char*>(buffer.data()), buffer.size()}, error);
    }
    return socket_.read_some(buffer, error);
  }

  // Over TLS, one record: what a call is given (at most 16 KiB) is sent as one, so a corked batch stays one.
  template <typename ConstBufferSequence>
  std::size_t write_some(ConstBufferSequence const& buffers, error_code& error) {
    if (tls_) [[unlikely]] {
      return tls_->write(one_record(buffers), error);
    }
    return socket_.write_some(buffers, error);
  }

  // The TLS handshake, a step at a time as the socket allows; nothing to do on a plain connection.
  void handshake(error_code& error);
  // Over TLS, bytes of the client's that OpenSSL has read from the socket and not yet given out.
  bool holds_input() const { return tls_ && tls_->holds_input(); }
  // Over TLS, bytes a write that would block already put in a record: what is dropped must leave them.
  std::size_t committed_write_bytes() const { return tls_ ? tls_->committed_write_bytes() : 0; }
  // After a TLS handshake: whether it resumed a session.
  bool tls_resumed() const { return tls_ && tls_->resumed(); }

  // Completes with an error code once the last read (wait_read) or write (wait_write) may go on. Over TLS, records a
  // full read left in OpenSSL make a read ready at once (epoll would never report them); a record cut short does not.
  template <typename Token>
  auto async_wait(Wait wanted, Token&& token) {
    return asio::async_initiate<Token, void(error_code)>(
        [this, wanted](auto handler) mutable {
          if (tls_) [[unlikely]] {
            if (wanted == Wait::wait_read && tls_->read_ready()) {
              return asio::post(socket_.get_executor(), asio::append(std::move(handler), error_code{}));
            }
            wanted = tls_->wait_for(wanted);
          }
          socket_.async_wait(wanted, std::move(handler));
        },
        token);
  }

  // As the socket's; over TLS, close_notify goes before the FIN.
  void shutdown(asio::socket_base::shutdown_type what, error_code& error);
  void close(error_code& error) { socket_.close(error); }
  // After a failed handshake: what the client still sends is read raw, to be discarded before closing.
  void drop_tls() { tls_.reset(); }

 private:
  // The bytes for one TLS record: the first buffer itself when it fills a record or stands alone, else the
  // buffers copied together into the thread's staging buffer, up to a record.
  template <typename ConstBufferSequence>
  static std::span<char const> one_record(ConstBufferSequence const& buffers) {
    auto it = asio::buffer_sequence_begin(buffers);
    auto const end = asio::buffer_sequence_end(buffers);
    if (it == end) return {};
    asio::const_buffer const first(*it);
    if (std::next(it) == end || first.size() >= TlsConnection::max_record_bytes) {
      return {static_cast<char const*>(first.data()), first.size()};
    }
    auto& staging = record_staging();
    std::size_t filled = 0;
    for (; it != end && filled < staging.size(); ++it) {
      filled +=
          asio::buffer_copy(asio::buffer(staging.data() + filled, staging.size() - filled), asio::const_buffer(*it));
    }
    return {staging.data(), filled};
  }
  static std::array<char, TlsConnection::max_record_bytes>& record_staging();

  ConnectionSocket socket_;
  std::unique_ptr<TlsConnection> tls_;  // null: plain
};

}  // namespace wshub
