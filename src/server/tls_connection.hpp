// One TLS connection on a non-blocking socket: OpenSSL reads and writes the descriptor through our BIO, and this
// class says which readiness of the socket a call that could not finish waits for.
#pragma once

#include <cstddef>
#include <memory>
#include <span>

#include <boost/asio/socket_base.hpp>

#include "protocol/net.hpp"
#include "server/tls_context.hpp"
#include "server/tls_socket_bio.hpp"

struct ssl_st;

namespace wshub {

class TlsConnection {
 public:
  using Wait = asio::socket_base::wait_type;

  // The server side of a handshake yet to come on `fd`, which stays the caller's to close.
  TlsConnection(TlsContext const& context, int fd);
  // Its BIO points at socket_: it stays where it was made.
  TlsConnection(TlsConnection const&) = delete;
  TlsConnection& operator=(TlsConnection const&) = delete;

  // Each call: asio::error::would_block means "wait for wait_for(...) and call again"; eof, the peer has ended.
  void handshake(error_code& error);
  // Fills `into` with as many records as the socket holds: fewer bytes than asked means the socket was read dry.
  std::size_t read(std::span<char> into, error_code& error);
  // One record of at most max_record_bytes. After a TLS 1.3 handshake the record is wshub's own, sealed and sent
  // without SSL_write (tls_record_writer.hpp), until a client's KeyUpdate gives the keys back to OpenSSL; a write
  // after one that would block may send only the earlier record's bytes.
  std::size_t write(std::span<char const> bytes, error_code& error);
  // Sends close_notify if the connection is still sound; does not wait for the peer's.
  void shutdown();
  // Bytes OpenSSL has read ahead from the socket (whole records or not) and not yet given out, or an end seen.
  bool holds_input() const;
  // After a write that gave would_block: how many of the bytes it was given are already in a sealed record (ours
  // or OpenSSL's), which the next write must give again (and so they must not be dropped); 0 once a write went
  // through.
  std::size_t committed_write_bytes() const { return committed_write_bytes_; }
  // After the handshake: whether it resumed a session (a ticket) instead of a full key exchange.
  bool resumed() const;

  // Records or decrypted bytes the last read left in OpenSSL (its buffer was full, or the handshake read ahead), or
  // an end already seen: readiness epoll will not report again. Not after a read that OpenSSL ended by asking the
  // socket for more: a record cut short then waits for epoll to report its rest.
  bool read_ready() const { return input_left_ || deferred_read_error_; }
  // What a read (or handshake) or a write that gave would_block waits for: TLS may need to write to read.
  Wait wait_for(Wait wanted) const { return wanted == Wait::wait_write ? write_waits_for_ : read_waits_for_; }

  static constexpr std::size_t max_record_bytes = 16 * 1024;

 private:
  enum class Role { read, write };
  // Turns a failed call's result into an error, remembering what it waits for.
  error_code error_of(int result, Role role);
  // Application data once OpenSSL has handed over the write keys: OpenSSL would only pass the bytes to the BIO, after
  // bookkeeping on its SSL that costs more than the sealing (docs/architecture.md).
  std::size_t write_own_record(std::span<char const> bytes, error_code& error);

  struct Free {
    void operator()(ssl_st* ssl) const;
  };
  TlsSocketState socket_;  // before ssl_, whose BIO points at it
  std::unique_ptr<ssl_st, Free> ssl_;
  Wait read_waits_for_ = Wait::wait_read;
  Wait write_waits_for_ = Wait::wait_write;
  error_code deferred_read_error_;  // met after a read had already filled part of its buffer
  bool input_left_ = false;         // the last read stopped before OpenSSL asked the socket for more
  std::size_t committed_write_bytes_ = 0;
  bool broken_ = false;  // a fatal error or an end: no close_notify is due
  // A KeyUpdate is due (OpenSSL sends one only from SSL_write, and seals every record after it itself) or the
  // connection failed: application data goes through SSL_write, which says what becomes of it.
  bool writes_need_openssl_ = false;
};

}  // namespace wshub
