// Builds the frames a client would send, for the frame layer's tests.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/frame_parser.hpp"

namespace wshub::testing {

// The first byte's RSV1 bit: a message compressed with permessage-deflate (RFC 7692 section 6).
inline constexpr std::uint8_t rsv1 = 0x40;

struct ClientFrame {
  Opcode opcode = Opcode::text;
  std::string_view payload{};
  bool final = true;
  bool masked = true;
  std::uint8_t reserved_bits = 0;
};

// Encodes with the shortest length form and the mask key 1, 2, 3, 4.
inline std::string encode(ClientFrame const& frame) {
  std::string bytes;
  bytes.push_back(static_cast<char>((frame.final ? 0x80 : 0) | frame.reserved_bits | static_cast<int>(frame.opcode)));
  auto const size = frame.payload.size();
  char const mask_bit = frame.masked ? char(0x80) : char(0);
  if (size < 126) {
    bytes.push_back(static_cast<char>(mask_bit | static_cast<char>(size)));
  } else {
    int const length_bytes = size <= 0xffff ? 2 : 8;
    bytes.push_back(static_cast<char>(mask_bit | (length_bytes == 2 ? 126 : 127)));
    for (int i = length_bytes - 1; i >= 0; --i) bytes.push_back(static_cast<char>((size >> (8 * i)) & 0xff));
  }
  std::string const key = frame.masked ? "\x01\x02\x03\x04" : "\0\0\0\0";
  if (frame.masked) bytes += key;
  for (std::size_t i = 0; i < size; ++i) bytes.push_back(static_cast<char>(frame.payload[i] ^ key[i % 4]));
  return bytes;
}

inline std::string text(std::string_view payload) {
  return encode({.payload = payload});
}

}  // namespace wshub::testing
