// A table-driven UTF-8 decoder state machine, after Bjoern Hoehrmann's "Flexible and Economical UTF-8 Decoder".
#include "protocol/utf8_validator.hpp"

#include <array>
#include <cstring>

namespace wshub {
namespace {

// Each byte falls into one of 12 classes; the state after a byte depends only on the state and the class.
constexpr std::array<std::uint8_t, 256> byte_class = [] {
  std::array<std::uint8_t, 256> classes{};
  auto set = [&classes](int first, int last, std::uint8_t value) {
    for (int byte = first; byte <= last; ++byte) classes[static_cast<std::size_t>(byte)] = value;
  };
  set(0x00, 0x7f, 0);  // ASCII
  set(0x80, 0x8f, 1);  // continuation bytes, split by the ranges the lead bytes below allow
  set(0x90, 0x9f, 9);
  set(0xa0, 0xbf, 7);
  set(0xc0, 0xc1, 8);  // would only start overlong forms
  set(0xc2, 0xdf, 2);  // two-byte lead
  set(0xe0, 0xe0, 10);
  set(0xe1, 0xec, 3);
  set(0xed, 0xed, 4);  // leads to the surrogate range, which is excluded
  set(0xee, 0xef, 3);
  set(0xf0, 0xf0, 11);
  set(0xf1, 0xf3, 6);
  set(0xf4, 0xf4, 5);
  set(0xf5, 0xff, 8);  // beyond U+10FFFF
  return classes;
}();

// States are multiples of 12 (0 accept, 12 reject); the row of the current state is indexed by the byte class.
constexpr std::uint8_t reject = 12;
constexpr std::array<std::uint8_t, 108> transition = {
    0,  12, 24, 36, 60, 96, 84, 12, 12, 12, 48, 72,  // accept
    12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12,  // reject
    12, 0,  12, 12, 12, 12, 12, 0,  12, 0,  12, 12,  // one continuation byte to go
    12, 24, 12, 12, 12, 12, 12, 24, 12, 24, 12, 12,  // two to go
    12, 12, 12, 12, 12, 12, 12, 24, 12, 12, 12, 12,  // after E0: A0..BF
    12, 24, 12, 12, 12, 12, 12, 12, 12, 24, 12, 12,  // after ED: 80..9F
    12, 12, 12, 12, 12, 12, 12, 36, 12, 36, 12, 12,  // after F0: 90..BF
    12, 36, 12, 12, 12, 12, 12, 36, 12, 36, 12, 12,  // three to go
    12, 36, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12,  // after F4: 80..8F
};

}  // namespace

bool Utf8Validator::feed(std::string_view bytes) {
  std::uint8_t state = state_;
  std::size_t i = 0;
  while (i < bytes.size() && state != reject) {
    // Most text is ASCII: between characters, skip eight bytes at a time while none has its top bit set.
    if (state == accept && i + sizeof(std::uint64_t) <= bytes.size()) {
      std::uint64_t chunk = 0;
      std::memcpy(&chunk, bytes.data() + i, sizeof chunk);
      if ((chunk & 0x8080808080808080ULL) == 0) {
        i += sizeof chunk;
        continue;
      }
    }
    state = transition[state + byte_class[static_cast<unsigned char>(bytes[i++])]];
  }
  state_ = state;
  return state != reject;
}

bool Utf8Validator::is_valid(std::string_view text) {
  Utf8Validator validator;
  return validator.feed(text) && validator.at_character_boundary();
}

}  // namespace wshub
