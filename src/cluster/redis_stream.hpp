// The bytes under a Redis connection: a TCP socket, with TLS over it for rediss://.
#pragma once

#include <memory>
#include <string>
#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>

#include "cluster/redis_tls.hpp"
#include "protocol/net.hpp"

namespace wshub {

// One stream type for both, so that RedisConnection is written once. Why not a variant or a virtual interface: the
// plain path then goes through a visit or a type-erased handler; here it costs one null test per operation, and
// the socket gets the caller's handler and buffer as they are (no wrapper, no copy). TLS is the branch that pays.
//
// A TLS session serves one connection: each connection gets a new SSL stream, which owns its socket. Asio's SSL
// operations touch their stream when they complete, even cancelled after a close, so each operation's handler holds
// a share of its stream: one that a new connection replaced lives until its last operation has completed, and never
// reads from the new connection's socket.
class RedisStream {
 public:
  // tls: null for redis://.
  RedisStream(asio::any_io_executor executor, std::shared_ptr<RedisTlsContext> tls);

  bool tls() const { return tls_context_ != nullptr; }
  // The socket of the current connection, to connect it: renew() first for a new connection.
  tcp::socket& socket() { return tls_stream_ ? tls_stream_->next_layer() : plain_; }
  // Ready for a new connection: a closed socket, and for TLS a new session. host: the name Redis's certificate must
  // carry, sent as SNI unless an IP address.
  void renew(std::string const& host);
  void close();

  // TLS only: the client side of the handshake, on the connected socket.
  template <typename Handler>
  void async_handshake(Handler handler) {
    tls_stream_->async_handshake(
        asio::ssl::stream_base::client,
        [stream = tls_stream_, handler = std::move(handler)](error_code error) mutable { std::move(handler)(error); });
  }

  template <typename Handler>
  void async_read_some(asio::mutable_buffer buffer, Handler handler) {
    if (!tls_stream_) return plain_.async_read_some(buffer, std::move(handler));
    tls_stream_->async_read_some(buffer, holding_stream(std::move(handler)));
  }

  template <typename Handler>
  void async_write(asio::const_buffer buffer, Handler handler) {
    if (!tls_stream_) return asio::async_write(plain_, buffer, std::move(handler));
    asio::async_write(*tls_stream_, buffer, holding_stream(std::move(handler)));
  }

  // Whether bytes have arrived that no read has taken yet (the kernel's, or TLS records that OpenSSL holds).
  bool has_unread_bytes();

  // Why a TLS error happened, with the certificate check's own reason when that is what failed ("hostname
  // mismatch", "unable to get local issuer certificate").
  std::string tls_failure(error_code error);

 private:
  using TlsStream = asio::ssl::stream<tcp::socket>;

  template <typename Handler>
  auto holding_stream(Handler handler) {
    return [stream = tls_stream_, handler = std::move(handler)](error_code error, std::size_t bytes) mutable {
      std::move(handler)(error, bytes);
    };
  }

  asio::any_io_executor executor_;
  std::shared_ptr<RedisTlsContext> tls_context_;
  tcp::socket plain_;                      // redis://
  std::shared_ptr<TlsStream> tls_stream_;  // rediss://: the current connection's
};

}  // namespace wshub
