// BoringSSL's handshakes for the handshake benchmark, as Bun makes them (its defaults, X25519 first), over in-memory
// BIO pairs; built against Debian's android-libboringssl-dev, in a binary of its own since its symbols are OpenSSL's.
#include <stdexcept>
#include <vector>

#include <openssl/ec_key.h>
#include <openssl/evp.h>
#include <openssl/nid.h>
#include <openssl/ssl.h>

#include "ssl_in_memory.hpp"
#include "tls_handshakes.hpp"

namespace wshub::bench {
namespace {

void check(bool ok, char const* what) {
  if (!ok) throw std::runtime_error(what);
}

class BoringsslHandshakes final : public ServerHandshakes {
 public:
  explicit BoringsslHandshakes(Credentials const& credentials)
      : server_context_(SSL_CTX_new(TLS_method())), client_context_(SSL_CTX_new(TLS_method())) {
    check(server_context_ != nullptr && client_context_ != nullptr, "SSL_CTX_new");
    check(SSL_CTX_use_certificate_ASN1(server_context_, credentials.certificate.size(),
                                       credentials.certificate.data()) == 1,
          "BoringSSL certificate");
    check(
        SSL_CTX_use_PrivateKey_ASN1(EVP_PKEY_EC, server_context_, credentials.key.data(), credentials.key.size()) == 1,
        "BoringSSL key");
    SSL_CTX_set_session_cache_mode(client_context_, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL);
    SSL_CTX_sess_set_new_cb(client_context_, take_ticket);
  }

  ~BoringsslHandshakes() override {
    SSL_SESSION_free(ticket_);
    SSL_CTX_free(server_context_);
    SSL_CTX_free(client_context_);
  }

  double handshake(bool resume) override {
    check(!resume || ticket_ != nullptr, "no ticket to resume");
    return time_one_handshake(
        server_context_, client_context_, this, resume ? ticket_ : nullptr,
        [](SSL* server, SSL* client, ServerCpuTime& server_time) {
          // BoringSSL sends its tickets with the server's first write: one byte is written
          // (and timed) to bring them.
          check(server_time.measure([server] { return SSL_write(server, "x", 1); }) == 1, "SSL_write");
          char byte = 0;
          check(SSL_read(client, &byte, 1) == 1, "SSL_read");
          check(SSL_read(client, &byte, 1) < 0 && SSL_get_error(client, -1) == SSL_ERROR_WANT_READ, "ticket");
        });
  }

 private:
  // The newest ticket; BoringSSL's sessions do not change once made, so the callback's reference is kept as it is.
  static int take_ticket(SSL* client, SSL_SESSION* ticket) {
    auto* self = static_cast<BoringsslHandshakes*>(SSL_get_app_data(client));
    SSL_SESSION_free(self->ticket_);
    self->ticket_ = ticket;
    return 1;
  }

  SSL_CTX* server_context_;
  SSL_CTX* client_context_;
  SSL_SESSION* ticket_ = nullptr;
};

}  // namespace

Credentials make_credentials() {
  EC_KEY* curve_key = EC_KEY_new_by_curve_name(NID_X9_62_prime256v1);
  EVP_PKEY* key = EVP_PKEY_new();
  check(curve_key != nullptr && key != nullptr && EC_KEY_generate_key(curve_key) == 1 &&
            EVP_PKEY_assign_EC_KEY(key, curve_key) == 1,
        "key");
  return self_signed_credentials(key);
}

std::vector<HandshakeLibrary> handshake_libraries() {
  return {{"boringssl", [](Credentials const& credentials) -> std::unique_ptr<ServerHandshakes> {
             return std::make_unique<BoringsslHandshakes>(credentials);
           }}};
}

}  // namespace wshub::bench
