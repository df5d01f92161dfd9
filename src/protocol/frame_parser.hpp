// Reads one client-to-server WebSocket frame (RFC 6455 section 5.2) in place: header checks and unmasking.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "protocol/close_code.hpp"

namespace wshub {

enum class Opcode : std::uint8_t { continuation = 0x0, text = 0x1, binary = 0x2, close = 0x8, ping = 0x9, pong = 0xa };

constexpr bool is_control(Opcode opcode) {
  return (static_cast<std::uint8_t>(opcode) & 0x8) != 0;
}

// RFC 6455 section 5.5: control frames carry at most 125 bytes and are never fragmented.
inline constexpr std::size_t max_control_payload_bytes = 125;

using MaskKey = std::array<unsigned char, 4>;

struct ParsedFrame {
  enum class Status { incomplete, complete, invalid };
  Status status = Status::incomplete;
  Opcode opcode = Opcode::continuation;
  bool final = false;
  bool compressed = false;  // RSV1: the first frame of a message compressed with permessage-deflate (RFC 7692)
  // Complete: the payload, unmasked in place. Incomplete, once the header is in: the part of the payload that has
  // arrived, still masked with mask_key, so that text can be checked before the rest comes (see unmask_copy).
  std::span<char> payload;
  MaskKey mask_key{};
  std::size_t frame_bytes = 0;  // header and payload: how much of the input the frame used
  CloseCode error = CloseCode::protocol_error;
  std::string_view error_reason;
};

// Parses the frame at the front of bytes, unmasking its payload in place. Incomplete until the whole frame is
// there; invalid as soon as the header breaks a rule or announces a payload over max_payload_bytes (1009). RSV1 is
// allowed only when permessage-deflate was negotiated, and then only on the first frame of a data message.
ParsedFrame parse_frame(std::span<char> bytes, std::size_t max_payload_bytes, bool deflate_negotiated = false);

// Whether the frame at the front of bytes (its first byte at least) has RSV1 set: compressed, if it is valid.
bool marked_compressed(std::span<char const> bytes);

// Writes masked payload bytes, which begin `offset` bytes into their frame's payload, unmasked to the front of out
// (at least as large), leaving the input as it is for parse_frame to unmask once the frame is whole.
void unmask_copy(std::span<char const> masked, std::size_t offset, MaskKey const& key, std::span<char> out);

}  // namespace wshub
