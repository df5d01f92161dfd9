// The server's TLS settings and the OpenSSL context every TLS connection is made from.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>

struct ssl_ctx_st;

namespace wshub {

enum class TlsVersion { v1_2, v1_3 };

struct TlsOptions {
  std::string cert_file;  // PEM: the server's certificate, then its chain
  std::string key_file;   // PEM: the certificate's private key
  TlsVersion min_version = TlsVersion::v1_2;
};

// The certificate or key could not be used; the message names the setting.
class TlsSetupError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// TLS 1.2 and 1.3 only, Mozilla's "intermediate" ciphers for 1.2, ALPN http/1.1, stateless session tickets, and
// connections that give their buffers back while idle (SSL_MODE_RELEASE_BUFFERS).
class TlsContext {
 public:
  // Loads and checks the pair; throws TlsSetupError naming --tls-cert-file or --tls-key-file.
  explicit TlsContext(TlsOptions const& options);

  ssl_ctx_st* native() const { return context_.get(); }

 private:
  struct Free {
    void operator()(ssl_ctx_st* context) const;
  };
  std::unique_ptr<ssl_ctx_st, Free> context_;
};

}  // namespace wshub
