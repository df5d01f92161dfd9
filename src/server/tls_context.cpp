// Builds the OpenSSL context from the certificate and key files, with wshub's fixed TLS policy.
#include "server/tls_context.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>
#include <string_view>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <spdlog/fmt/fmt.h>

namespace wshub {
namespace {

// Mozilla's "intermediate" configuration (version 5.7): the TLS 1.2 ciphers, and the TLS 1.3 suites in its order.
// OpenSSL's default puts AES-256 first; AES-128 first costs less per record and per handshake (docs/architecture.md).
constexpr char const* intermediate_suites =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";
constexpr char const* intermediate_ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305";
constexpr char const* intermediate_groups = "X25519:P-256:P-384";
constexpr unsigned char http_1_1[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};

// OpenSSL's reason for the last failure, cleared from the thread's error queue.
std::string openssl_reason() {
  auto const code = ERR_peek_last_error();
  ERR_clear_error();
  if (code == 0) return "unknown error";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

// A missing or unreadable file gets the system's words ("No such file or directory"), not OpenSSL's.
void check_readable(std::string const& path, std::string_view setting) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    throw TlsSetupError(fmt::format("cannot read {} \"{}\": {}", setting, path, std::strerror(errno)));
  }
  std::fclose(file);
}

int select_http_1_1(SSL*, unsigned char const** out, unsigned char* out_length, unsigned char const* offered,
                    unsigned offered_length, void*) {
  unsigned char* selected = nullptr;
  // Only http/1.1 is served: a client offering h2 alone gets no ALPN answer rather than a failed handshake.
  if (SSL_select_next_proto(&selected, out_length, http_1_1, sizeof http_1_1, offered, offered_length) !=
      OPENSSL_NPN_NEGOTIATED) {
    return SSL_TLSEXT_ERR_NOACK;
  }
  *out = selected;
  return SSL_TLSEXT_ERR_OK;
}

void apply_policy(SSL_CTX* context, TlsVersion min_version) {
  SSL_CTX_set_min_proto_version(context, min_version == TlsVersion::v1_3 ? TLS1_3_VERSION : TLS1_2_VERSION);
  SSL_CTX_set_max_proto_version(context, TLS1_3_VERSION);
  SSL_CTX_set_cipher_list(context, intermediate_ciphers);
  if (SSL_CTX_set_ciphersuites(context, intermediate_suites) != 1) {
    throw TlsSetupError(fmt::format("cannot set the TLS 1.3 suites: {}", openssl_reason()));
  }
  SSL_CTX_set1_groups_list(context, intermediate_groups);
  SSL_CTX_set_dh_auto(context, 1);
  // Clients that leave without close_notify are the common case: their EOF is an end, not an error.
  // ChaCha20 for a client that puts it first (one without AES instructions, as phones often are), AES otherwise.
  // Kernel TLS's hand-over of the write keys, which our BIO takes to seal TLS 1.3 records itself (tls_socket_bio).
  SSL_CTX_set_options(context, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_PRIORITIZE_CHACHA |
                                   SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_ENABLE_KTLS);
  // Resumption by ticket only: tickets are stateless, a server-side session cache would hold every session.
  SSL_CTX_set_session_cache_mode(context, SSL_SESS_CACHE_OFF);
  // One TLS 1.3 ticket per connection, not OpenSSL's two: a client resumes its next connection with it, and each
  // ticket costs about 100 us of server CPU (measured on churn, docs/architecture.md).
  SSL_CTX_set_num_tickets(context, 1);
  // An idle connection keeps no read or write buffer (about 34 KB); writes are retried from our own queue, whose
  // head may move between attempts. A KeyUpdate's hand-back of the write keys relies on the release too: OpenSSL set
  // its write buffer up for our BIO while the BIO took the keys, and only a released one is set up anew for the
  // records OpenSSL seals after it (tls_record_writer.hpp).
  SSL_CTX_set_mode(context,
                   SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  // A read takes what the socket holds, not one record's header and then its body: a burst of records is one
  // recv() (server/tls_socket_bio.hpp says how the read that would find the socket empty is saved too).
  SSL_CTX_set_read_ahead(context, 1);
  SSL_CTX_set_alpn_select_cb(context, select_http_1_1, nullptr);
}

void load_pair(SSL_CTX* context, TlsOptions const& options) {
  check_readable(options.cert_file, "--tls-cert-file/TLS_CERT_FILE");
  check_readable(options.key_file, "--tls-key-file/TLS_KEY_FILE");
  // The key first: after the certificate, a key of another one fails to load as if it were no key, and the check
  // below could not name the mismatch.
  if (SSL_CTX_use_PrivateKey_file(context, options.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    throw TlsSetupError(fmt::format("cannot use --tls-key-file/TLS_KEY_FILE \"{}\" as a PEM private key: {}",
                                    options.key_file, openssl_reason()));
  }
  if (SSL_CTX_use_certificate_chain_file(context, options.cert_file.c_str()) != 1) {
    throw TlsSetupError(fmt::format("cannot use --tls-cert-file/TLS_CERT_FILE \"{}\" as a PEM certificate chain: {}",
                                    options.cert_file, openssl_reason()));
  }
  if (SSL_CTX_check_private_key(context) != 1) {
    throw TlsSetupError(
        fmt::format("--tls-key-file/TLS_KEY_FILE \"{}\" is not the key of --tls-cert-file/TLS_CERT_FILE "
                    "\"{}\": {}",
                    options.key_file, options.cert_file, openssl_reason()));
  }
}

std::string serial_of(X509 const* certificate) {
  std::unique_ptr<BIGNUM, decltype(&BN_free)> number(ASN1_INTEGER_to_BN(X509_get0_serialNumber(certificate), nullptr),
                                                     &BN_free);
  if (!number) return "unknown";
  char* text = BN_bn2hex(number.get());
  std::string serial = text != nullptr ? text : "unknown";
  OPENSSL_free(text);
  return serial;
}

std::int64_t expiry_of(X509 const* certificate) {
  std::tm expiry{};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(certificate), &expiry) != 1) return 0;
  return static_cast<std::int64_t>(timegm(&expiry));
}

}  // namespace

void TlsContext::Free::operator()(ssl_ctx_st* context) const {
  SSL_CTX_free(context);
}

TlsContext::TlsContext(TlsOptions const& options) : context_(SSL_CTX_new(TLS_server_method())) {
  if (!context_) throw TlsSetupError(fmt::format("cannot create a TLS context: {}", openssl_reason()));
  apply_policy(context_.get(), options.min_version);
  load_pair(context_.get(), options);
  X509 const* certificate = SSL_CTX_get0_certificate(context_.get());
  serial_ = serial_of(certificate);
  expires_at_ = expiry_of(certificate);
}

}  // namespace wshub
