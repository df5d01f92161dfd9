// OpenSSL's calls on a non-blocking descriptor, with their outcomes as Asio's error codes.
#include "server/tls_connection.hpp"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <new>
#include <utility>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>

namespace wshub {

void TlsConnection::Free::operator()(ssl_st* ssl) const {
  SSL_free(ssl);
}

TlsConnection::TlsConnection(TlsContext const& context, int fd) : ssl_(SSL_new(context.native())) {
  if (!ssl_) throw std::bad_alloc();
  socket_.fd = fd;
  BIO* const bio = make_tls_socket_bio(socket_);
  SSL_set_bio(ssl_.get(), bio, bio);  // one reference, given to the SSL for both directions
  SSL_set_accept_state(ssl_.get());
}

void TlsConnection::handshake(error_code& error) {
  socket_.drained = false;  // called when epoll reported the socket, or to begin
  ERR_clear_error();        // the thread's error queue must only hold what this call adds
  int const result = SSL_do_handshake(ssl_.get());
  error = result == 1 ? error_code{} : error_of(result, Role::read);
  // Read ahead, the client's first request may have come in with its last handshake message.
  input_left_ = result == 1 && SSL_has_pending(ssl_.get()) == 1;
}

std::size_t TlsConnection::read(std::span<char> into, error_code& error) {
  if (deferred_read_error_) {
    error = std::exchange(deferred_read_error_, {});
    return 0;
  }
  error = {};
  socket_.drained = false;  // called when epoll reported the socket, or to go on after a full buffer
  // Once per call, not per record: a call that succeeds adds nothing to the thread's error queue.
  ERR_clear_error();
  std::size_t filled = 0;
  while (filled < into.size()) {
    std::size_t bytes = 0;
    int const result = SSL_read_ex(ssl_.get(), into.data() + filled, into.size() - filled, &bytes);
    if (result != 1) {
      error = error_of(result, Role::read);
      break;
    }
    filled += bytes;
  }
  input_left_ = !error;
  // OpenSSL 3.0 answers a peer's request for a KeyUpdate only in SSL_write, which our records skip.
  if (SSL_get_key_update_type(ssl_.get()) != SSL_KEY_UPDATE_NONE) writes_need_openssl_ = true;
  if (filled == 0) return 0;
  // The bytes go up now; an end or a failure after them is reported by the next read.
  if (error && error != asio::error::would_block) deferred_read_error_ = error;
  error = {};
  return filled;
}

std::size_t TlsConnection::write(std::span<char const> bytes, error_code& error) {
  if (bytes.empty()) return 0;
  // A record of ours that is part-sent is finished by our own retry, whatever OpenSSL now has to say first.
  if (socket_.records.sealing() && (!writes_need_openssl_ || !socket_.records.open_to_openssl())) {
    return write_own_record(bytes, error);
  }
  socket_.drained = false;  // a write that had to read (none in TLS 1.3 without renegotiation) must ask the socket
  std::size_t written = 0;
  ERR_clear_error();
  std::size_t const record_bytes = std::min(bytes.size(), max_record_bytes);
  int const result = SSL_write_ex(ssl_.get(), bytes.data(), record_bytes, &written);
  error = result == 1 ? error_code{} : error_of(result, Role::write);
  // A record that could not go out is OpenSSL's to finish, and the next call must give its bytes again: all this call
  // was given, since a retry given more than the held record sends it and puts the rest in a new one.
  if (error == asio::error::would_block) committed_write_bytes_ = std::max(committed_write_bytes_, record_bytes);
  if (!error) committed_write_bytes_ = 0;
  return written;
}

std::size_t TlsConnection::write_own_record(std::span<char const> bytes, error_code& error) {
  auto const outcome = socket_.records.write(socket_.fd, bytes);
  switch (outcome.result) {
    case TlsRecordWriter::Result::sent:
      error = {};
      committed_write_bytes_ = 0;
      return outcome.written;
    case TlsRecordWriter::Result::would_block:
      error = asio::error::would_block;
      write_waits_for_ = Wait::wait_write;
      committed_write_bytes_ = socket_.records.unsent_plaintext_bytes();
      return 0;
    case TlsRecordWriter::Result::failed:
      break;
  }
  broken_ = true;
  error = {errno, boost::system::system_category()};
  return 0;
}

void TlsConnection::shutdown() {
  if (broken_ || !SSL_is_init_finished(ssl_.get())) return;
  ERR_clear_error();
  SSL_shutdown(ssl_.get());
  ERR_clear_error();
}

bool TlsConnection::holds_input() const {
  return SSL_has_pending(ssl_.get()) == 1 || deferred_read_error_;
}

bool TlsConnection::resumed() const {
  return SSL_session_reused(ssl_.get()) == 1;
}

error_code TlsConnection::error_of(int result, Role role) {
  auto& waits_for = role == Role::read ? read_waits_for_ : write_waits_for_;
  switch (SSL_get_error(ssl_.get(), result)) {
    case SSL_ERROR_WANT_READ:
      waits_for = Wait::wait_read;
      return asio::error::would_block;
    case SSL_ERROR_WANT_WRITE:
      waits_for = Wait::wait_write;
      return asio::error::would_block;
    case SSL_ERROR_ZERO_RETURN:
      broken_ = true;
      return asio::error::eof;
    case SSL_ERROR_SYSCALL: {
      broken_ = true;
      int const system_error = errno;
      if (system_error == 0) return asio::error::eof;
      return {system_error, boost::system::system_category()};
    }
    default: {
      broken_ = true;
      writes_need_openssl_ = true;  // a failed connection: SSL_write refuses, as it should
      auto const code = ERR_get_error();
      ERR_clear_error();
      return {static_cast<int>(code & INT_MAX), asio::error::get_ssl_category()};
    }
  }
}

}  // namespace wshub
