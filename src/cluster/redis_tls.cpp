// Loads the trust store or CA file and the client certificate for rediss://, each failure naming its setting.
#include "cluster/redis_tls.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include <openssl/ssl.h>
#include <spdlog/fmt/fmt.h>

namespace wshub {
namespace {

// The setting as the README and --help name it: flag and environment variable.
struct SettingName {
  std::string_view flag;
  std::string_view environment_name;
};

constexpr SettingName ca_setting{"--redis-tls-ca-file", "REDIS_TLS_CA_FILE"};
constexpr SettingName cert_setting{"--redis-tls-cert-file", "REDIS_TLS_CERT_FILE"};
constexpr SettingName key_setting{"--redis-tls-key-file", "REDIS_TLS_KEY_FILE"};

[[noreturn]] void fail(SettingName setting, std::string const& file, std::string_view why) {
  throw RedisTlsError(fmt::format("{} / {} \"{}\": {}", setting.flag, setting.environment_name, file, why));
}

// OpenSSL says "system lib" for a file it cannot open; the C library says which of missing, forbidden or a directory.
void check_readable(SettingName setting, std::string const& file) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> const opened(std::fopen(file.c_str(), "r"), &std::fclose);
  // A directory opens, and fails at the first read.
  if (!opened || (std::fgetc(opened.get()) == EOF && std::ferror(opened.get()))) {
    fail(setting, file, fmt::format("cannot be read ({})", std::strerror(errno)));
  }
}

void load_ca_file(asio::ssl::context& context, std::string const& file) {
  check_readable(ca_setting, file);
  error_code error;
  context.load_verify_file(file, error);
  if (error) fail(ca_setting, file, fmt::format("holds no PEM CA certificate ({})", error.message()));
}

void load_client_certificate(asio::ssl::context& context, RedisTlsOptions const& options) {
  check_readable(cert_setting, options.cert_file);
  check_readable(key_setting, options.key_file);
  error_code error;
  context.use_certificate_chain_file(options.cert_file, error);
  if (error) fail(cert_setting, options.cert_file, fmt::format("holds no PEM certificate ({})", error.message()));
  // OpenSSL checks the key against the certificate as it loads it: a key that is not PEM and one of another
  // certificate fail here alike, with its reason.
  context.use_private_key_file(options.key_file, asio::ssl::context::pem, error);
  if (error || SSL_CTX_check_private_key(context.native_handle()) != 1) {
    fail(key_setting, options.key_file,
         fmt::format("is not the private key of the certificate in {} ({})", cert_setting.environment_name,
                     error ? error.message() : "key values mismatch"));
  }
}

}  // namespace

RedisTlsContext::RedisTlsContext(RedisTlsOptions const& options)
    : context_(asio::ssl::context::tls_client), verifies_peer_(!options.insecure) {
  if (!options.ca_file.empty()) {
    load_ca_file(context_, options.ca_file);
  } else {
    // Without a usable system store, every handshake fails with a verification error naming the cause.
    error_code ignored;
    context_.set_default_verify_paths(ignored);
  }
  if (!options.cert_file.empty() || !options.key_file.empty()) load_client_certificate(context_, options);
  context_.set_verify_mode(verifies_peer_ ? asio::ssl::verify_peer : asio::ssl::verify_none);
}

}  // namespace wshub
