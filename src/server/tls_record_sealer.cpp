// Seals TLS 1.3 records with libcrypto's AEADs: the nonce is the connection's IV XOR the record's sequence number,
// the additional data is the record's header, and the content type is the plaintext's last byte.
#include "server/tls_record_sealer.hpp"

#include <cstring>
#include <memory>

#include <linux/tls.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

namespace wshub {
namespace {

constexpr std::size_t header_bytes = 5;
constexpr std::size_t tag_bytes = 16;

// Fetched once for the process: a fetch by name takes a lock and compares strings. None if libcrypto lacks it (a
// FIPS-only configuration without ChaCha20): those keys are then refused and OpenSSL seals itself. Nothing here throws,
// since it runs inside OpenSSL's calls.
EVP_CIPHER const* cipher_of(tls_crypto_info const& info) {
  switch (info.cipher_type) {
    case TLS_CIPHER_AES_GCM_128: {
      static EVP_CIPHER const* const aes_128_gcm = EVP_CIPHER_fetch(nullptr, "AES-128-GCM", nullptr);
      return aes_128_gcm;
    }
    case TLS_CIPHER_AES_GCM_256: {
      static EVP_CIPHER const* const aes_256_gcm = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
      return aes_256_gcm;
    }
    case TLS_CIPHER_CHACHA20_POLY1305: {
      static EVP_CIPHER const* const chacha20_poly1305 = EVP_CIPHER_fetch(nullptr, "ChaCha20-Poly1305", nullptr);
      return chacha20_poly1305;
    }
    default:
      return nullptr;
  }
}

// One per I/O thread, or none if it cannot be made. Setting the key costs about 140 ns a record (measured); a context
// per connection would keep 1.2 KB per connection to save it.
EVP_CIPHER_CTX* thread_context() {
  thread_local std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> const context(EVP_CIPHER_CTX_new(),
                                                                                             EVP_CIPHER_CTX_free);
  return context.get();
}

// The cipher to name when keying `context` for `cipher`: none if it already has it, which keeps its provider state
// (a cipher named anew frees and makes that state again: 450 ns a record instead of 350, measured).
EVP_CIPHER const* keyed_cipher(EVP_CIPHER_CTX const* context, EVP_CIPHER const* cipher) {
  return EVP_CIPHER_CTX_get0_cipher(context) == cipher ? nullptr : cipher;
}

}  // namespace

bool TlsRecordSealer::can_seal(tls_crypto_info const& info) {
  return info.version == TLS_1_3_VERSION && cipher_of(info) != nullptr;
}

TlsRecordSealer::TlsRecordSealer(tls_crypto_info const& info) : cipher_(cipher_of(info)) {
  // Linux's structs for each cipher begin with `info`: the whole struct is where it is. The nonce is the salt then
  // the IV (ChaCha20's salt is empty); the sequence number is big-endian.
  auto const take = [this](auto const& crypto) {
    static_assert(sizeof crypto.salt + sizeof crypto.iv == std::tuple_size_v<decltype(nonce_base_)>);
    static_assert(sizeof crypto.key <= std::tuple_size_v<decltype(key_)>);
    std::memcpy(key_.data(), crypto.key, sizeof crypto.key);
    std::memcpy(nonce_base_.data(), crypto.salt, sizeof crypto.salt);
    std::memcpy(nonce_base_.data() + sizeof crypto.salt, crypto.iv, sizeof crypto.iv);
    for (unsigned char const byte : crypto.rec_seq) sequence_ = (sequence_ << 8) | byte;
  };
  switch (info.cipher_type) {
    case TLS_CIPHER_AES_GCM_128:
      take(reinterpret_cast<tls12_crypto_info_aes_gcm_128 const&>(info));
      break;
    case TLS_CIPHER_AES_GCM_256:
      take(reinterpret_cast<tls12_crypto_info_aes_gcm_256 const&>(info));
      break;
    case TLS_CIPHER_CHACHA20_POLY1305:
      take(reinterpret_cast<tls12_crypto_info_chacha20_poly1305 const&>(info));
      break;
    default:
      break;  // no cipher: every seal fails (can_seal says so first)
  }
}

TlsRecordSealer::~TlsRecordSealer() {
  OPENSSL_cleanse(key_.data(), key_.size());
}

std::size_t TlsRecordSealer::seal(std::uint8_t type, std::span<char const> plaintext, std::span<char> record) {
  std::size_t const sealed_bytes = plaintext.size() + 1 + tag_bytes;
  auto* const header = reinterpret_cast<unsigned char*>(record.data());
  // Every TLS 1.3 record says "application data, TLS 1.2" outside; its real type is sealed inside.
  header[0] = 23;
  header[1] = 3;
  header[2] = 3;
  header[3] = static_cast<unsigned char>(sealed_bytes >> 8);
  header[4] = static_cast<unsigned char>(sealed_bytes);
  unsigned char* const sealed = header + header_bytes;
  if (!encrypt(type, plaintext, header, sealed)) return 0;
  ++sequence_;
  return header_bytes + sealed_bytes;
}

bool TlsRecordSealer::encrypt(std::uint8_t type, std::span<char const> plaintext, unsigned char const* header,
                              unsigned char* sealed) const {
  auto nonce = nonce_base_;
  for (std::size_t byte = 0; byte < 8; ++byte) nonce[nonce.size() - 1 - byte] ^= (sequence_ >> (8 * byte)) & 0xff;
  EVP_CIPHER_CTX* const context = thread_context();
  if (context == nullptr || cipher_ == nullptr) return false;
  int header_out = 0;
  int body_out = 0;
  int type_out = 0;
  int final_out = 0;
  bool const encrypted =
      EVP_EncryptInit_ex2(context, keyed_cipher(context, cipher_), key_.data(), nonce.data(), nullptr) == 1 &&
      EVP_EncryptUpdate(context, nullptr, &header_out, header, header_bytes) == 1 &&
      EVP_EncryptUpdate(context, sealed, &body_out, reinterpret_cast<unsigned char const*>(plaintext.data()),
                        static_cast<int>(plaintext.size())) == 1 &&
      EVP_EncryptUpdate(context, sealed + body_out, &type_out, &type, 1) == 1 &&
      EVP_EncryptFinal_ex(context, sealed + body_out + type_out, &final_out) == 1;
  std::size_t const content_bytes = static_cast<std::size_t>(body_out) + type_out + final_out;
  if (!encrypted || content_bytes != plaintext.size() + 1) return false;
  OSSL_PARAM tag[] = {OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, sealed + content_bytes, tag_bytes),
                      OSSL_PARAM_construct_end()};
  return EVP_CIPHER_CTX_get_params(context, tag) == 1;
}

}  // namespace wshub
