// What every TLS connection of a run shares: OpenSSL's client context, and the sessions new connections may resume.
#pragma once

#include <openssl/ssl.h>

#include <cstddef>
#include <deque>
#include <memory>
#include <string>

namespace loadgen {

struct TlsClientOptions {
  // The CA that signed the server's certificate; empty: the certificate is not checked (a benchmark's own server).
  std::string ca_file;
  // Offer a session ticket the server gave on each new connection (a resumed handshake) instead of a full handshake.
  bool resume = false;
};

class TlsClientContext {
 public:
  // Throws std::runtime_error naming what OpenSSL could not load.
  explicit TlsClientContext(TlsClientOptions options);

  // A new connection's SSL object to `ip_address`, whose certificate must name it when verified; it resumes the
  // newest unused session when asked to and one is known. Null if OpenSSL fails.
  SSL* new_connection(const std::string& ip_address);
  bool verifies() const { return !options_.ca_file.empty(); }

 private:
  static int on_new_session(SSL* ssl, SSL_SESSION* session);

  struct FreeContext {
    void operator()(SSL_CTX* context) const { SSL_CTX_free(context); }
  };
  struct FreeSession {
    void operator()(SSL_SESSION* session) const { SSL_SESSION_free(session); }
  };

  TlsClientOptions options_;
  std::unique_ptr<SSL_CTX, FreeContext> context_;
  using Session = std::unique_ptr<SSL_SESSION, FreeSession>;

  // The session to offer next, if any. A TLS 1.3 ticket is used once (OpenSSL will not offer it again), so it
  // leaves the pool; a TLS 1.2 session stays for the next connection.
  Session take_session();

  // Sessions the server gave and no connection has offered yet, newest last (TLS 1.3 tickets arrive after the
  // handshake, usually two per connection); at most `session_pool_limit`, the oldest dropped first.
  static constexpr std::size_t session_pool_limit = 64;
  std::deque<Session> sessions_;
};

}  // namespace loadgen
