// How one connection's text messages go out: compressed with permessage-deflate (RFC 7692 section 7.2.1) when it
// negotiated it and the message is long enough to gain from it, as they are otherwise.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/deflate_negotiation.hpp"
#include "protocol/outgoing_frame.hpp"

namespace wshub {

// The settings of permessage-deflate, each with its default.
struct DeflateOptions {
  bool enabled = true;  // as uvicorn's ws_per_message_deflate: every client that offers it gets it
  int level = 6;        // zlib's 1 (fastest) to 9 (smallest)
  // Shorter messages go out uncompressed (RFC 7692 section 6 allows it per message): deflate gains nothing on them.
  std::size_t min_message_bytes = 64;
};

class OutgoingCompression {
 public:
  // Nothing negotiated: every message goes out as it is.
  OutgoingCompression() = default;
  OutgoingCompression(DeflateOptions const& options, DeflateParameters const& parameters);

  bool negotiated() const { return negotiated_; }

  // Appends first + second as one text frame; returns the size of its payload on the wire.
  std::size_t append_text_frame(std::string& out, std::string_view first, std::string_view second) const;
  // The frame this client is sent for a shared one: the compressed form made once for every client with the full
  // window, one of its own if it asked for a smaller window, or the frame as it is.
  SharedFrame frame_for(SharedFrame const& frame) const;

 private:
  bool worth_compressing(std::size_t payload_bytes) const { return negotiated_ && payload_bytes >= min_message_bytes_; }
  // Compresses text with this client's window into this thread's scratch buffer.
  std::string_view compress(std::string_view text) const;

  bool negotiated_ = false;
  int level_ = 0;
  int window_bits_ = 15;
  std::size_t min_message_bytes_ = 0;
};

}  // namespace wshub
