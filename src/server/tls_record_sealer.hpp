// TLS 1.3 records sealed by wshub with the write keys OpenSSL hands to kernel TLS (RFC 8446 section 5.2).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

struct evp_cipher_st;
struct tls_crypto_info;

namespace wshub {

// One connection's write direction: its cipher, key, nonce and the next record's sequence number. No cipher context
// is kept per connection (about 1.2 KB each): every record is sealed with one context per thread, given the key anew.
class TlsRecordSealer {
 public:
  // Whether `info` (Linux's struct, as OpenSSL fills it for kernel TLS) is a TLS 1.3 cipher this seals.
  static bool can_seal(tls_crypto_info const& info);
  explicit TlsRecordSealer(tls_crypto_info const& info);
  TlsRecordSealer(TlsRecordSealer const&) = delete;
  TlsRecordSealer& operator=(TlsRecordSealer const&) = delete;
  ~TlsRecordSealer();

  static constexpr std::size_t max_plaintext_bytes = 16 * 1024;
  // The record header, the inner content type and the AEAD tag.
  static constexpr std::size_t overhead_bytes = 5 + 1 + 16;

  // Writes the record of content `type` carrying `plaintext` (at most max_plaintext_bytes) into `record`, which has
  // room for plaintext.size() + overhead_bytes; returns the record's size, or 0 if the cipher failed.
  std::size_t seal(std::uint8_t type, std::span<char const> plaintext, std::span<char> record);

 private:
  // Encrypts the inner plaintext (`plaintext`, then `type`) into `sealed`, the tag after it, with `header` as the
  // additional data and this record's nonce.
  bool encrypt(std::uint8_t type, std::span<char const> plaintext, unsigned char const* header,
               unsigned char* sealed) const;

  evp_cipher_st const* cipher_;
  std::array<unsigned char, 32> key_{};
  std::array<unsigned char, 12> nonce_base_{};
  std::uint64_t sequence_ = 0;
};

}  // namespace wshub
