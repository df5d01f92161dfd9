// Checks UTF-8 a piece at a time, so a text message split across frames is judged as it arrives.
#pragma once

#include <cstdint>
#include <string_view>

namespace wshub {

// RFC 3629 UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF. A message is valid when every piece
// was accepted and the last piece ended on a character boundary.
class Utf8Validator {
 public:
  // False as soon as the bytes so far cannot begin any valid text (RFC 6455 section 8.1: fail fast).
  bool feed(std::string_view bytes);
  bool at_character_boundary() const { return state_ == accept; }
  void reset() { state_ = accept; }

  static bool is_valid(std::string_view text);

 private:
  static constexpr std::uint8_t accept = 0;
  std::uint8_t state_ = accept;
};

}  // namespace wshub
