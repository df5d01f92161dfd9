// Server-to-client WebSocket frames (RFC 6455 section 5.2): unmasked, one frame per message, encoded once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/frame_parser.hpp"

namespace wshub {

// Appends one whole frame whose payload is first followed by second, so that a reply made of a prefix and the
// client's text needs no intermediate string.
void append_frame(std::string& out, Opcode opcode, std::string_view first, std::string_view second = {});

// A close frame; reason is cut to the 123 bytes a control frame leaves for it.
void append_close_frame(std::string& out, std::optional<std::uint16_t> code, std::string_view reason);

// A text frame encoded once and shared, unchanged, by every client queue it is sent to.
class SharedFrame {
 public:
  SharedFrame() = default;
  static SharedFrame text(std::string_view payload);

  explicit operator bool() const { return bytes_ != nullptr; }
  // Header and payload, ready for the socket.
  std::string_view bytes() const { return *bytes_; }
  std::string_view payload() const { return bytes().substr(header_bytes_); }

 private:
  std::shared_ptr<std::string const> bytes_;
  std::size_t header_bytes_ = 0;
};

}  // namespace wshub
