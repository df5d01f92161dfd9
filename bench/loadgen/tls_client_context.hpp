// What every TLS connection of a run shares: OpenSSL's client context, and the session a new connection may resume.
#pragma once

#include <openssl/ssl.h>

#include <cstddef>
#include <memory>
#include <string>

namespace loadgen {

struct TlsClientOptions {
  // The CA that signed the server's certificate; empty: the certificate is not checked (a benchmark's own server).
  std::string ca_file;
  // Offer the last session's ticket on every new connection (a resumed handshake) instead of a full handshake.
  bool resume = false;
};

class TlsClientContext {
 public:
  // Throws std::runtime_error naming what OpenSSL could not load.
  explicit TlsClientContext(TlsClientOptions options);

  // A new connection's SSL object to `ip_address`, whose certificate must name it when verified; it resumes the last
  // session when asked to and one is known. Null if OpenSSL fails.
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
  // The newest session the server gave (a TLS 1.3 ticket arrives after the handshake).
  std::unique_ptr<SSL_SESSION, FreeSession> last_session_;
};

}  // namespace loadgen
