// The benchmark's certificate, a server and a client SSL joined in memory, and their handshake run by turns:
// OpenSSL's API, which BoringSSL keeps, so each benchmark binary compiles this against its own library.
#pragma once

#include <stdexcept>
#include <vector>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "tls_handshakes.hpp"

namespace wshub::bench {

template <typename Object, typename Encode>
std::vector<unsigned char> der_of(Object* object, Encode encode) {
  std::vector<unsigned char> der(static_cast<std::size_t>(encode(object, nullptr)));
  unsigned char* out = der.data();
  encode(object, &out);
  return der;
}

// A certificate for 127.0.0.1 signed by `key` itself, valid for a day, and the key, in DER; takes `key`.
inline Credentials self_signed_credentials(EVP_PKEY* key) {
  X509* certificate = X509_new();
  if (key == nullptr || certificate == nullptr) throw std::runtime_error("key or certificate");
  X509_set_version(certificate, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(certificate), 1);
  X509_gmtime_adj(X509_getm_notBefore(certificate), 0);
  X509_gmtime_adj(X509_getm_notAfter(certificate), 24L * 3600);
  X509_NAME* name = X509_get_subject_name(certificate);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<unsigned char const*>("127.0.0.1"), -1, -1, 0);
  X509_set_issuer_name(certificate, name);
  X509_set_pubkey(certificate, key);
  if (X509_sign(certificate, key, EVP_sha256()) <= 0) throw std::runtime_error("X509_sign");
  Credentials credentials{der_of(certificate, i2d_X509), der_of(key, i2d_PrivateKey)};
  X509_free(certificate);
  EVP_PKEY_free(key);
  return credentials;
}

// Joins `server` (accepting) and `client` (connecting) by a BIO pair.
inline void join_in_memory(SSL* server, SSL* client) {
  BIO* server_end = nullptr;
  BIO* client_end = nullptr;
  if (BIO_new_bio_pair(&server_end, 0, &client_end, 0) != 1) throw std::runtime_error("BIO_new_bio_pair");
  SSL_set_bio(server, server_end, server_end);
  SSL_set_bio(client, client_end, client_end);
  SSL_set_accept_state(server);
  SSL_set_connect_state(client);
}

// Runs both ends' handshake steps by turns until both are done, the server's timed by `server_time`.
inline void run_handshake(SSL* server, SSL* client, ServerCpuTime& server_time) {
  for (int step = 0; step < 16; ++step) {
    int const client_done = SSL_do_handshake(client);
    int const server_done = server_time.measure([server] { return SSL_do_handshake(server); });
    if (client_done == 1 && server_done == 1) return;
  }
  throw std::runtime_error("handshake did not finish");
}

// One handshake between a new server of `server_context` and a new client of `client_context` (with `client_data` as
// its app data, and `resume_with` to resume if not null), then `bring_ticket`, the library's way to bring the client
// its ticket; every step of the server's is timed. The server's CPU seconds; throws if it did not resume.
template <typename BringTicket>
double time_one_handshake(SSL_CTX* server_context, SSL_CTX* client_context, void* client_data, SSL_SESSION* resume_with,
                          BringTicket bring_ticket) {
  ServerCpuTime server_time;
  SSL* server = server_time.measure([server_context] { return SSL_new(server_context); });
  SSL* client = SSL_new(client_context);
  if (server == nullptr || client == nullptr) throw std::runtime_error("SSL_new");
  join_in_memory(server, client);
  SSL_set_app_data(client, client_data);
  if (resume_with != nullptr && SSL_set_session(client, resume_with) != 1) throw std::runtime_error("SSL_set_session");
  run_handshake(server, client, server_time);
  bring_ticket(server, client, server_time);
  bool const resumed = SSL_session_reused(server) == 1;
  SSL_free(client);
  server_time.measure([server] {
    SSL_free(server);
    return 0;
  });
  if (resume_with != nullptr && !resumed) throw std::runtime_error("the server did not resume the ticket");
  return server_time.seconds();
}

}  // namespace wshub::bench
