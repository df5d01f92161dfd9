// The server's TLS settings and the OpenSSL context every TLS connection is made from.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

#include "server/ticket_keys.hpp"

struct ssl_ctx_st;

namespace wshub {

enum class TlsVersion { v1_2, v1_3 };

struct TlsOptions {
  std::string cert_file;  // PEM: the server's certificate, then its chain
  std::string key_file;   // PEM: the certificate's private key
  TlsVersion min_version = TlsVersion::v1_2;
  // How often the two files are checked for a change that reloads them (as SIGHUP does); 0: only on SIGHUP.
  std::chrono::duration<double> reload_check{60};
  // How long a session ticket key seals new tickets; it opens them for as long again, then is erased. OpenSSL's
  // tickets live 2 hours, so at 2 hours none is refused for its key.
  std::chrono::duration<double> ticket_key_rotation{7200};
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

  // The certificate's serial number in hexadecimal, as `openssl x509 -serial` prints it.
  std::string const& serial() const { return serial_; }
  // The certificate's notAfter, in seconds since the Unix epoch.
  std::int64_t expires_at() const { return expires_at_; }

  // Seals and opens session tickets with these keys (else OpenSSL's own, which never change), which must outlive
  // every connection made from this context.
  void use_ticket_keys(TicketKeys& keys) { keys.install_in(context_.get()); }

 private:
  struct Free {
    void operator()(ssl_ctx_st* context) const;
  };
  std::unique_ptr<ssl_ctx_st, Free> context_;
  std::string serial_;
  std::int64_t expires_at_ = 0;
};

}  // namespace wshub
