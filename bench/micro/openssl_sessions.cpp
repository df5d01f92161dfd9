// OpenSSL's server sessions for the record benchmark, with released buffers as wshub's, and its handshakes for the
// handshake benchmark, with wshub's own context; both over in-memory BIO pairs.
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "server/ticket_keys.hpp"
#include "server/tls_context.hpp"
#include "ssl_in_memory.hpp"
#include "tls_handshakes.hpp"
#include "tls_sessions.hpp"

namespace wshub::bench {
namespace {

void check(bool ok, char const* what) {
  if (!ok) throw std::runtime_error(what);
}

SSL_CTX* make_context(SSL_METHOD const* method) {
  SSL_CTX* context = SSL_CTX_new(method);
  check(context != nullptr, "SSL_CTX_new");
  SSL_CTX_set_min_proto_version(context, TLS1_3_VERSION);
  SSL_CTX_set_ciphersuites(context, "TLS_AES_128_GCM_SHA256");
  SSL_CTX_set_mode(context, SSL_MODE_RELEASE_BUFFERS);
  return context;
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
    join_in_memory(server, client);
    ServerCpuTime untimed;
    run_handshake(server, client, untimed);
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

// The credentials as the PEM files wshub reads, in a directory of their own that goes with this object.
class PemFiles {
 public:
  explicit PemFiles(Credentials const& credentials) {
    std::string pattern = (std::filesystem::temp_directory_path() / "wshub-bench-XXXXXX").string();
    check(mkdtemp(pattern.data()) != nullptr, "mkdtemp");
    directory_ = pattern;
    unsigned char const* certificate_der = credentials.certificate.data();
    X509* certificate = d2i_X509(nullptr, &certificate_der, static_cast<long>(credentials.certificate.size()));
    unsigned char const* key_der = credentials.key.data();
    EVP_PKEY* key = d2i_AutoPrivateKey(nullptr, &key_der, static_cast<long>(credentials.key.size()));
    check(certificate != nullptr && key != nullptr, "DER credentials");
    write(cert_file(), [certificate](std::FILE* file) { return PEM_write_X509(file, certificate); });
    write(key_file(),
          [key](std::FILE* file) { return PEM_write_PrivateKey(file, key, nullptr, nullptr, 0, nullptr, nullptr); });
    X509_free(certificate);
    EVP_PKEY_free(key);
  }

  ~PemFiles() { std::filesystem::remove_all(directory_); }
  PemFiles(PemFiles const&) = delete;
  PemFiles& operator=(PemFiles const&) = delete;

  std::string cert_file() const { return (directory_ / "cert.pem").string(); }
  std::string key_file() const { return (directory_ / "key.pem").string(); }

 private:
  template <typename Encode>
  static void write(std::string const& path, Encode encode) {
    std::FILE* file = std::fopen(path.c_str(), "w");
    check(file != nullptr, "fopen");
    bool const written = encode(file) == 1;
    check(std::fclose(file) == 0 && written, "PEM file");
  }

  std::filesystem::path directory_;
};

TlsContext wshub_context(Credentials const& credentials) {
  PemFiles const files(credentials);
  return TlsContext(TlsOptions{.cert_file = files.cert_file(), .key_file = files.key_file()});
}

class OpensslHandshakes final : public ServerHandshakes {
 public:
  explicit OpensslHandshakes(Credentials const& credentials)
      : server_context_(wshub_context(credentials)), client_context_(SSL_CTX_new(TLS_client_method())) {
    check(client_context_ != nullptr, "SSL_CTX_new");
    server_context_.use_ticket_keys(ticket_keys_);
    // The client keeps the ticket it is given in take_ticket, nowhere else.
    SSL_CTX_set_session_cache_mode(client_context_, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(client_context_, take_ticket);
  }

  ~OpensslHandshakes() override {
    SSL_SESSION_free(ticket_);
    SSL_CTX_free(client_context_);
  }

  double handshake(bool resume) override {
    check(!resume || ticket_ != nullptr, "no ticket to resume");
    return time_one_handshake(
        server_context_.native(), client_context_, this, resume ? ticket_ : nullptr,
        [](SSL*, SSL* client, ServerCpuTime&) {
          // The ticket came with the handshake: a read takes it (take_ticket), then finds
          // nothing more.
          char byte = 0;
          std::size_t read = 0;
          check(SSL_read_ex(client, &byte, 1, &read) == 0 && SSL_get_error(client, 0) == SSL_ERROR_WANT_READ, "ticket");
        });
  }

 private:
  // A copy, left to OpenSSL otherwise: OpenSSL marks the client's own session not resumable when the client is freed
  // without close_notify.
  static int take_ticket(SSL* client, SSL_SESSION* ticket) {
    auto* self = static_cast<OpensslHandshakes*>(SSL_get_app_data(client));
    SSL_SESSION_free(self->ticket_);
    self->ticket_ = SSL_SESSION_dup(ticket);
    return 0;
  }

  TicketKeys ticket_keys_;  // outlives every connection of server_context_, as the server's does
  TlsContext server_context_;
  SSL_CTX* client_context_;
  SSL_SESSION* ticket_ = nullptr;
};

}  // namespace

Credentials make_credentials() {
  return self_signed_credentials(EVP_EC_gen("P-256"));
}

std::unique_ptr<ServerSessions> openssl_sessions(Credentials const& credentials, std::size_t count) {
  return std::make_unique<OpensslSessions>(credentials, count);
}

std::unique_ptr<ServerHandshakes> openssl_handshakes(Credentials const& credentials) {
  return std::make_unique<OpensslHandshakes>(credentials);
}

}  // namespace wshub::bench
