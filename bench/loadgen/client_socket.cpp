// A client's connected socket, plain or TLS: its handshake first, then reads and writes with recv(2)'s and send(2)'s
// results.
#include "client_socket.hpp"

#include <openssl/err.h>
#include <sys/socket.h>

#include <cerrno>
#include <utility>

namespace loadgen {

ClientSocket::ClientSocket(UniqueFd fd, const Target& target) : fd_(std::move(fd)), target_(&target) {}

void ClientSocket::reset() {
  ssl_.reset();
  fd_.reset();
}

ClientSocket::Handshake ClientSocket::handshake(std::string& failure) {
  if (target_ == nullptr || target_->tls == nullptr) return Handshake::done;
  if (!ssl_) {
    ssl_.reset(target_->tls->new_connection(target_->host));
    if (!ssl_ || SSL_set_fd(ssl_.get(), fd_.get()) != 1) {
      failure = "cannot start TLS";
      return Handshake::failed;
    }
    SSL_set_connect_state(ssl_.get());
  }
  ERR_clear_error();
  const int result = SSL_do_handshake(ssl_.get());
  if (result == 1) return Handshake::done;
  switch (SSL_get_error(ssl_.get(), result)) {
    case SSL_ERROR_WANT_READ:
      return Handshake::wants_read;
    case SSL_ERROR_WANT_WRITE:
      return Handshake::wants_write;
    default: {
      char reason[256] = "the server ended the connection";
      if (const unsigned long error = ERR_get_error(); error != 0) ERR_error_string_n(error, reason, sizeof reason);
      failure = std::string("TLS handshake failed: ") + reason;
      return Handshake::failed;
    }
  }
}

ssize_t ClientSocket::receive(char* data, std::size_t size) {
  if (!ssl_) return ::recv(fd_.get(), data, size, 0);
  ERR_clear_error();
  return tls_result(SSL_read(ssl_.get(), data, static_cast<int>(size)));
}

ssize_t ClientSocket::send(const char* data, std::size_t size) {
  if (!ssl_) return ::send(fd_.get(), data, size, MSG_NOSIGNAL);
  ERR_clear_error();
  return tls_result(SSL_write(ssl_.get(), data, static_cast<int>(size)));
}

// OpenSSL's answer in recv(2)'s terms. Wanting to write during a read (or the reverse) only follows a renegotiation,
// which TLS 1.3 does not have; it is reported as "try again", which the level-triggered loop does.
ssize_t ClientSocket::tls_result(int result) {
  if (result > 0) return result;
  switch (SSL_get_error(ssl_.get(), result)) {
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE:
      errno = EAGAIN;
      return -1;
    case SSL_ERROR_ZERO_RETURN:
      // TLS asks that the server's close_notify be answered with ours.
      SSL_shutdown(ssl_.get());
      return 0;
    case SSL_ERROR_SYSCALL:
      return -1;
    default:
      errno = EPROTO;
      return -1;
  }
}

}  // namespace loadgen
