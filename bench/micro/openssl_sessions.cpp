// OpenSSL's server sessions for the record benchmark, with released buffers as wshub's, over in-memory BIO pairs.
#include <stdexcept>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "tls_sessions.hpp"

namespace wshub::bench {
namespace {

void check(bool ok, char const* what) {
  if (!ok) throw std::runtime_error(what);
}

template <typename Object, typename Encode>
std::vector<unsigned char> der_of(Object* object, Encode encode) {
  std::vector<unsigned char> der(static_cast<std::size_t>(encode(object, nullptr)));
  unsigned char* out = der.data();
  encode(object, &out);
  return der;
}

SSL_CTX* make_context(SSL_METHOD const* method) {
  SSL_CTX* context = SSL_CTX_new(method);
  check(context != nullptr, "SSL_CTX_new");
  SSL_CTX_set_min_proto_version(context, TLS1_3_VERSION);
  SSL_CTX_set_ciphersuites(context, "TLS_AES_128_GCM_SHA256");
  SSL_CTX_set_mode(context, SSL_MODE_RELEASE_BUFFERS);
  return context;
}

// Runs both ends' handshake steps by turns until both are done.
void handshake(SSL* server, SSL* client) {
  for (int step = 0; step < 16; ++step) {
    int const client_done = SSL_do_handshake(client);
    int const server_done = SSL_do_handshake(server);
    if (client_done == 1 && server_done == 1) return;
  }
  throw std::runtime_error("OpenSSL handshake did not finish");
}

class OpensslSessions final : public ServerSessions {
 public:
  OpensslSessions(Credentials const& credentials, std::size_t count)
      : server_context_(make_context(TLS_server_method())), client_context_(make_context(TLS_client_method())) {
    unsigned char const* certificate = credentials.certificate.data();
    unsigned char const* key = credentials.key.data();
    check(SSL_CTX_use_certificate_ASN1(server_context_, static_cast<int>(credentials.certificate.size()),
                                       certificate) == 1,
          "OpenSSL certificate");
    check(
        SSL_CTX_use_PrivateKey_ASN1(EVP_PKEY_EC, server_context_, key, static_cast<long>(credentials.key.size())) == 1,
        "OpenSSL key");
    servers_.reserve(count);
    for (std::size_t i = 0; i < count; ++i) servers_.push_back(connect());
  }

  ~OpensslSessions() override {
    for (SSL* server : servers_) SSL_free(server);
    SSL_CTX_free(server_context_);
    SSL_CTX_free(client_context_);
  }

  void write(std::size_t index, std::span<char const> bytes) override {
    std::size_t written = 0;
    check(SSL_write_ex(servers_[index], bytes.data(), bytes.size(), &written) == 1, "SSL_write_ex");
  }

 private:
  SSL* connect() {
    SSL* server = SSL_new(server_context_);
    SSL* client = SSL_new(client_context_);
    BIO* server_end = nullptr;
    BIO* client_end = nullptr;
    check(BIO_new_bio_pair(&server_end, 0, &client_end, 0) == 1, "BIO_new_bio_pair");
    SSL_set_bio(server, server_end, server_end);
    SSL_set_bio(client, client_end, client_end);
    SSL_set_accept_state(server);
    SSL_set_connect_state(client);
    handshake(server, client);
    SSL_free(client);
    // From here on records go nowhere: the null BIO takes every byte.
    BIO* sink = BIO_new(BIO_s_null());
    SSL_set_bio(server, sink, sink);
    return server;
  }

  SSL_CTX* server_context_;
  SSL_CTX* client_context_;
  std::vector<SSL*> servers_;
};

}  // namespace

Credentials make_credentials() {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* certificate = X509_new();
  check(key != nullptr && certificate != nullptr, "key or certificate");
  X509_set_version(certificate, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(certificate), 1);
  X509_gmtime_adj(X509_getm_notBefore(certificate), 0);
  X509_gmtime_adj(X509_getm_notAfter(certificate), 24L * 3600);
  X509_NAME* name = X509_get_subject_name(certificate);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<unsigned char const*>("127.0.0.1"), -1, -1, 0);
  X509_set_issuer_name(certificate, name);
  X509_set_pubkey(certificate, key);
  check(X509_sign(certificate, key, EVP_sha256()) > 0, "X509_sign");
  Credentials credentials{der_of(certificate, i2d_X509), der_of(key, i2d_PrivateKey)};
  X509_free(certificate);
  EVP_PKEY_free(key);
  return credentials;
}

std::unique_ptr<ServerSessions> openssl_sessions(Credentials const& credentials, std::size_t count) {
  return std::make_unique<OpensslSessions>(credentials, count);
}

}  // namespace wshub::bench
