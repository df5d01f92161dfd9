// Compresses the messages of one connection as RFC 7692 section 7.2.1 says and Chromium does: raw DEFLATE, each
// message flushed with Z_SYNC_FLUSH and its trailing 00 00 ff ff removed.
#pragma once

#include <zlib.h>

#include <string>
#include <string_view>

namespace loadgen {

class MessageDeflater {
 public:
  // `window_bits` 9 to 15; with `context_takeover` later messages may refer back to earlier ones, as Chromium's do
  // unless the server answered client_no_context_takeover. Throws std::runtime_error if zlib cannot start.
  MessageDeflater(int window_bits, bool context_takeover);
  ~MessageDeflater();
  MessageDeflater(const MessageDeflater&) = delete;
  MessageDeflater& operator=(const MessageDeflater&) = delete;

  // The payload of the compressed message; the view is valid until the next call.
  std::string_view compress(std::string_view text);

 private:
  z_stream stream_{};
  const bool context_takeover_;
  std::string out_;
};

}  // namespace loadgen
