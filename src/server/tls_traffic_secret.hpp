// A TLS 1.3 traffic secret and what RFC 8446 derives from it: a record key and IV, and the next secret after a
// KeyUpdate (sections 7.1 to 7.3).
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <string_view>

namespace wshub {

class TlsTrafficSecret {
 public:
  // A SHA-256 suite's secret is 32 bytes, a SHA-384 one's 48; any other size leaves it empty.
  explicit TlsTrafficSecret(std::span<unsigned char const> secret);
  TlsTrafficSecret(TlsTrafficSecret const&) = delete;
  TlsTrafficSecret& operator=(TlsTrafficSecret const&) = delete;
  ~TlsTrafficSecret();

  // Fills `out` with HKDF-Expand-Label(secret, `label`, "", out.size()): "key" and "iv" give the record's.
  bool expand(std::string_view label, std::span<unsigned char> out) const;
  // Replaces the secret with the one a KeyUpdate moves to: HKDF-Expand-Label(secret, "traffic upd", "", Hash.length).
  bool advance();

 private:
  std::array<unsigned char, 48> secret_{};
  std::size_t size_ = 0;
};

}  // namespace wshub
