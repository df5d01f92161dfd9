// WebSocket framing as a client does it (RFC 6455 section 5): masked frames out, unmasked server frames in.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace loadgen {

enum class Opcode : std::uint8_t {
  continuation = 0x0,
  text = 0x1,
  binary = 0x2,
  close = 0x8,
  ping = 0x9,
  pong = 0xA,
};

using MaskKey = std::array<std::uint8_t, 4>;

// Appends one final frame carrying `payload`, masked with `mask` as every client frame must be; `compressed` sets
// RSV1, which marks a compressed message under permessage-deflate (RFC 7692 section 6).
void append_client_frame(std::string& out, Opcode opcode, std::string_view payload, MaskKey mask,
                         bool compressed = false);

struct ServerFrame {
  bool final = false;
  Opcode opcode = Opcode::continuation;
  // RSV1: whether the frame is legal here is for the connection to say, which knows what was negotiated.
  bool compressed = false;
  // Points into the bytes the frame was parsed from.
  std::string_view payload;
};

enum class FrameStatus { complete, incomplete, invalid };

struct ParsedFrame {
  FrameStatus status = FrameStatus::incomplete;
  ServerFrame frame;
  // Bytes the frame takes, header included; set only when complete.
  std::size_t size = 0;
};

// Parses the frame at the front of `bytes`, which may hold less than a frame or several; RSV2 and RSV3 (no extension
// of ours defines them) make it invalid.
ParsedFrame parse_server_frame(std::string_view bytes);

}  // namespace loadgen
