// A client's connected socket, plain or TLS: its handshake first, then reads and writes with recv(2)'s and send(2)'s
// results.
#pragma once

#include <openssl/ssl.h>

#include <sys/types.h>

#include <cstddef>
#include <memory>
#include <string>

#include "target.hpp"
#include "unique_fd.hpp"

namespace loadgen {

class ClientSocket {
 public:
  enum class Handshake { done, wants_read, wants_write, failed };

  ClientSocket() = default;
  // A socket whose TCP connect to `target` has begun; TLS is spoken on it once connected if the target says so.
  ClientSocket(UniqueFd fd, const Target& target);

  int get() const { return fd_.get(); }
  bool valid() const { return fd_.valid(); }
  void reset();

  // The TLS handshake's next step once TCP is connected (done at once when plain); on failure, `failure` says why.
  Handshake handshake(std::string& failure);
  // Whether the finished handshake resumed an earlier session.
  bool resumed() const { return ssl_ && SSL_session_reused(ssl_.get()) == 1; }

  // As recv(2) and send(2): bytes moved, 0 at the end of the stream, -1 with errno (EAGAIN: try when ready again).
  // A TLS read returns at most one record, and every caller reads into a buffer larger than a record (16 KiB), so
  // OpenSSL never keeps decrypted bytes that the next epoll_wait would not announce.
  ssize_t receive(char* data, std::size_t size);
  ssize_t send(const char* data, std::size_t size);

 private:
  ssize_t tls_result(int result);

  struct FreeSsl {
    void operator()(SSL* ssl) const { SSL_free(ssl); }
  };

  UniqueFd fd_;
  const Target* target_ = nullptr;
  std::unique_ptr<SSL, FreeSsl> ssl_;
};

}  // namespace loadgen
