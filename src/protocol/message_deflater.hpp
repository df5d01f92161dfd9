// Compresses whole WebSocket messages for permessage-deflate (RFC 7692), one message at a time.
#pragma once

#include <string>
#include <string_view>

#include <zlib.h>

namespace wshub {

// zlib's memLevel for the deflater: its hash table has 2^(mem_level + 7) two-byte heads, which deflateReset clears
// before every message. 7 is the largest whose reset stays under a microsecond (8 takes 2.4 µs, a tenth of a
// 256-byte chat message's whole cost), with 8's ratio and nearly its speed on 64 KiB messages (docs/benchmarks.md,
// "Compression codec").
inline constexpr int default_deflate_mem_level = 7;

// Compresses whole messages for permessage-deflate (RFC 7692 section 7.2.1): raw DEFLATE, sync-flushed, its trailing
// 00 00 ff ff removed; each message on its own, or referring back to the ones before it (context takeover).
class MessageDeflater {
 public:
  // level 1..9, window_bits 9..15 (what RFC 7692 lets zlib produce), mem_level 1..9.
  MessageDeflater(int level, int window_bits, int mem_level = default_deflate_mem_level);
  MessageDeflater(MessageDeflater const&) = delete;
  MessageDeflater& operator=(MessageDeflater const&) = delete;
  ~MessageDeflater();

  // Appends the compressed payload of one message to out, compressed on its own (no context taken over).
  void compress(std::string_view payload, std::string& out);
  // The same, but the message may refer back to those compressed since the last forget_history(): the receiver must
  // hold them in its window, in this order, and nothing else compressed after them.
  void compress_continuing(std::string_view payload, std::string& out);
  // The next message refers back to nothing (deflateReset: clears the hash table, keeps the memory).
  void forget_history();
  // From now on, looks at most max_chain earlier places for each match (zlib's max_chain; the level keeps the rest of
  // its search settings). A level that already looks at fewer is left as it is.
  void limit_match_search(int max_chain);

 private:
  // deflateReset restores the level's own search settings: the limit is applied again after it.
  void apply_match_search_limit();

  z_stream stream_{};
  int level_;
  int max_chain_ = 0;  // 0: the level's own
};

// This thread's deflater for these settings, made on first use; the same object on later calls.
MessageDeflater& thread_deflater(int level, int window_bits);

}  // namespace wshub
