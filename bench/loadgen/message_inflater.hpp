// Inflates the compressed messages one connection receives (RFC 7692 section 7.2.2): the payload with 00 00 ff ff
// put back, through one raw inflate stream that keeps its window between messages unless the server resets its own.
#pragma once

#include <zlib.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace loadgen {

class MessageInflater {
 public:
  // Without `context_takeover` (the server answered server_no_context_takeover) each message starts afresh.
  // Throws std::runtime_error if zlib cannot start.
  explicit MessageInflater(bool context_takeover);
  ~MessageInflater();
  MessageInflater(const MessageInflater&) = delete;
  MessageInflater& operator=(const MessageInflater&) = delete;

  // Inflates one message's payload into `text`; false if the payload is not DEFLATE data or inflates to more than
  // `max_bytes`.
  bool inflate(std::string_view payload, std::string& text, std::size_t max_bytes);

 private:
  enum class Piece { consumed, stream_ended, failed };
  Piece inflate_piece(std::string_view piece, std::string& text, std::size_t max_bytes);
  bool restart_keeping_window();

  z_stream stream_{};
  const bool context_takeover_;
};

}  // namespace loadgen
