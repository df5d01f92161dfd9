// HKDF-Expand-Label with libcrypto's HKDF, the hash the secret's size names.
#include "server/tls_traffic_secret.hpp"

#include <cstring>
#include <memory>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

namespace wshub {
namespace {

constexpr std::string_view label_prefix = "tls13 ";

// Fetched once for the process; none if libcrypto lacks it, and then no key is derived (nothing here throws: it
// runs inside OpenSSL's calls).
EVP_KDF* hkdf() {
  static EVP_KDF* const fetched = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
  return fetched;
}

constexpr std::size_t max_label_bytes = 2 + 1 + 255 + 1;

// struct { uint16 length; opaque label<7..255> = "tls13 " + label; opaque context<0..255> = ""; } HkdfLabel, in
// `info`; its size, or 0 if it cannot be said.
std::size_t hkdf_label(std::string_view label, std::size_t length, std::span<unsigned char, max_label_bytes> info) {
  if (length > 255 || label_prefix.size() + label.size() > 255) return 0;
  std::size_t size = 0;
  info[size++] = 0;
  info[size++] = static_cast<unsigned char>(length);
  info[size++] = static_cast<unsigned char>(label_prefix.size() + label.size());
  std::memcpy(info.data() + size, label_prefix.data(), label_prefix.size());
  size += label_prefix.size();
  std::memcpy(info.data() + size, label.data(), label.size());
  size += label.size();
  info[size++] = 0;
  return size;
}

}  // namespace

TlsTrafficSecret::TlsTrafficSecret(std::span<unsigned char const> secret) {
  if (secret.size() != 32 && secret.size() != 48) return;
  std::memcpy(secret_.data(), secret.data(), secret.size());
  size_ = secret.size();
}

TlsTrafficSecret::~TlsTrafficSecret() {
  OPENSSL_cleanse(secret_.data(), secret_.size());
}

bool TlsTrafficSecret::expand(std::string_view label, std::span<unsigned char> out) const {
  std::array<unsigned char, max_label_bytes> info{};
  std::size_t const info_bytes = hkdf_label(label, out.size(), info);
  if (size_ == 0 || hkdf() == nullptr || info_bytes == 0) return false;
  std::unique_ptr<EVP_KDF_CTX, decltype(&EVP_KDF_CTX_free)> context(EVP_KDF_CTX_new(hkdf()), EVP_KDF_CTX_free);
  if (!context) return false;
  int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
  char digest[] = "SHA256";
  char wide_digest[] = "SHA384";
  auto secret = secret_;  // OSSL_PARAM takes a mutable pointer; the copy is cleansed below
  OSSL_PARAM const parameters[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, size_ == 48 ? wide_digest : digest, 0),
      OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, secret.data(), size_),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info.data(), info_bytes), OSSL_PARAM_construct_end()};
  bool const derived = EVP_KDF_derive(context.get(), out.data(), out.size(), parameters) == 1;
  OPENSSL_cleanse(secret.data(), secret.size());
  return derived;
}

bool TlsTrafficSecret::advance() {
  std::array<unsigned char, 48> next{};
  bool const derived = expand("traffic upd", std::span(next).first(size_));
  if (derived) std::memcpy(secret_.data(), next.data(), size_);
  OPENSSL_cleanse(next.data(), next.size());
  return derived;
}

}  // namespace wshub
