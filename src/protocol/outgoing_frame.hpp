// Server-to-client WebSocket frames (RFC 6455 section 5.2): unmasked, one frame per message, encoded once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/frame_parser.hpp"

namespace wshub {

// Appends one whole frame whose payload is first followed by second, so that a reply made of a prefix and the
// client's text needs no intermediate string.
void append_frame(std::string& out, Opcode opcode, std::string_view first, std::string_view second = {});

// Appends one text frame whose payload is already compressed with permessage-deflate: RSV1 set (RFC 7692 section 6).
void append_compressed_text_frame(std::string& out, std::string_view compressed_payload);

// A close frame; reason is cut to the 123 bytes a control frame leaves for it.
void append_close_frame(std::string& out, std::optional<std::uint16_t> code, std::string_view reason);

// A text frame encoded once and shared, unchanged, by every client queue it is sent to; and its compressed form,
// made once too, by the first client that negotiated permessage-deflate, for all of them.
class SharedFrame {
 public:
  SharedFrame() = default;
  static SharedFrame text(std::string_view payload);
  // A frame whose payload is compressed already, made for one client.
  static SharedFrame compressed_text(std::string_view compressed_payload);

  explicit operator bool() const { return bytes_ != nullptr; }
  // Header and payload, ready for the socket.
  std::string_view bytes() const { return *bytes_; }
  std::string_view payload() const { return bytes().substr(header_bytes_); }

  // The same text compressed on its own (no context taken over) with a 32 KiB window at level: made by the first
  // caller, from any thread, and shared with every later one, sharing ownership with this frame.
  SharedFrame deflated(int level) const;

 private:
  // What every copy of one text frame shares: the frame and, once someone asked for it, its compressed form.
  struct Encodings {
    std::string plain;
    std::size_t plain_header_bytes = 0;
    std::once_flag deflate_once;
    std::string deflated;
    std::size_t deflated_header_bytes = 0;
  };

  static SharedFrame encoded(std::string bytes, std::size_t payload_bytes);

  std::shared_ptr<Encodings> encodings_;
  std::shared_ptr<std::string const> bytes_;  // points into encodings_: the plain or the compressed frame
  std::size_t header_bytes_ = 0;
};

}  // namespace wshub
