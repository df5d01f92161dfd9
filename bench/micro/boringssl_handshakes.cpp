// BoringSSL's handshakes for the handshake benchmark, as Bun makes them (its defaults, X25519 first), over in-memory
// BIO pairs; built against Debian's android-libboringssl-dev, in a binary of its own since its symbols are OpenSSL's.
#include <stdexcept>
#include <vector>

#include <openssl/bio.h>
#include <openssl/ec_key.h>
#include <openssl/evp.h>
#include <openssl/nid.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

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
    double server_seconds = 0;
    auto const timed = [&server_seconds](auto step) {
      double const start = thread_cpu_seconds();
      auto const result = step();
      server_seconds += thread_cpu_seconds() - start;
      return result;
    };
    SSL* server = timed([this] { return SSL_new(server_context_); });
    SSL* client = SSL_new(client_context_);
    check(server != nullptr && client != nullptr, "SSL_new");
    connect(server, client);
    if (resume) check(ticket_ != nullptr && SSL_set_session(client, ticket_) == 1, "SSL_set_session");
    bool done = false;
    for (int step = 0; step < 16 && !done; ++step) {
      int const client_done = SSL_do_handshake(client);
      int const server_done = timed([server] { return SSL_do_handshake(server); });
      done = client_done == 1 && server_done == 1;
    }
    check(done, "BoringSSL handshake did not finish");
    // BoringSSL sends its tickets with the server's first write, so one byte is written (and timed) to bring them.
    check(timed([server] { return SSL_write(server, "x", 1); }) == 1, "SSL_write");
    char byte = 0;
    check(SSL_read(client, &byte, 1) == 1, "SSL_read");
    check(SSL_read(client, &byte, 1) < 0 && SSL_get_error(client, -1) == SSL_ERROR_WANT_READ, "ticket");
    check(!resume || SSL_session_reused(server) == 1, "the server did not resume the ticket");
    SSL_free(client);
    timed([server] {
      SSL_free(server);
      return 0;
    });
    return server_seconds;
  }

 private:
  void connect(SSL* server, SSL* client) {
    BIO* server_end = nullptr;
    BIO* client_end = nullptr;
    check(BIO_new_bio_pair(&server_end, 0, &client_end, 0) == 1, "BIO_new_bio_pair");
    SSL_set_bio(server, server_end, server_end);
    SSL_set_bio(client, client_end, client_end);
    SSL_set_app_data(client, this);
    SSL_set_accept_state(server);
    SSL_set_connect_state(client);
  }

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

template <typename Encode>
std::vector<unsigned char> der_of(Encode encode) {
  std::vector<unsigned char> der(static_cast<std::size_t>(encode(nullptr)));
  unsigned char* out = der.data();
  encode(&out);
  return der;
}

}  // namespace

Credentials make_credentials() {
  EC_KEY* curve_key = EC_KEY_new_by_curve_name(NID_X9_62_prime256v1);
  EVP_PKEY* key = EVP_PKEY_new();
  X509* certificate = X509_new();
  check(curve_key != nullptr && key != nullptr && certificate != nullptr && EC_KEY_generate_key(curve_key) == 1 &&
            EVP_PKEY_assign_EC_KEY(key, curve_key) == 1,
        "key or certificate");
  X509_set_version(certificate, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(certificate), 1);
  X509_gmtime_adj(X509_getm_notBefore(certificate), 0);
  X509_gmtime_adj(X509_getm_notAfter(certificate), 24L * 3600);
  X509_NAME* name = X509_get_subject_name(certificate);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<unsigned char const*>("127.0.0.1"), -1, -1, 0);
  X509_set_issuer_name(certificate, name);
  X509_set_pubkey(certificate, key);
  check(X509_sign(certificate, key, EVP_sha256()) > 0, "X509_sign");
  Credentials credentials{der_of([certificate](unsigned char** out) { return i2d_X509(certificate, out); }),
                          der_of([key](unsigned char** out) { return i2d_PrivateKey(key, out); })};
  X509_free(certificate);
  EVP_PKEY_free(key);
  return credentials;
}

std::vector<HandshakeLibrary> handshake_libraries() {
  return {{"boringssl", [](Credentials const& credentials) -> std::unique_ptr<ServerHandshakes> {
             return std::make_unique<BoringsslHandshakes>(credentials);
           }}};
}

}  // namespace wshub::bench
