// Inflates compressed WebSocket messages (RFC 7692) as their frames arrive, within a size limit, and lends
// inflaters to connections only while a message is arriving.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <zlib.h>

namespace wshub {

// Inflates one compressed message as its frames arrive (RFC 7692 section 7.2.2), never producing more than a limit,
// so that a decompression bomb costs at most the limit in memory.
//
// A block with BFINAL set (RFC 7692 section 7.2.3.3) ends the message's DEFLATE stream: what follows it in the
// message may only be blocks that produce nothing (the empty stored block that the sender appends and whose last 4
// bytes finish() restores); data after it is corrupt. A message must end on a block boundary once finish() has
// restored the 00 00 ff ff, except that an empty compressed payload is the empty message.
class MessageInflater {
 public:
  enum class Status { ok, too_big, corrupt };
  MessageInflater();  // a 32 KiB window: enough for any client_max_window_bits
  MessageInflater(MessageInflater const&) = delete;
  MessageInflater& operator=(MessageInflater const&) = delete;
  ~MessageInflater();

  // Inflates compressed bytes onto the end of out; too_big as soon as out would pass max_bytes (out then holds at
  // most max_bytes + 1 bytes); corrupt if the bytes are not DEFLATE, or if data follows a block with BFINAL set.
  // After too_big or corrupt the message is lost: reset() before the next one.
  Status feed(std::string_view compressed, std::string& out, std::size_t max_bytes);
  // The message's end: feeds the 00 00 ff ff that the sender removed; corrupt if the message stops mid-block.
  Status finish(std::string& out, std::size_t max_bytes);
  // Ready for the next message, history dropped (the client agreed not to take its context over).
  void reset();

 private:
  Status inflate_available(std::string& out, std::size_t max_bytes);

  z_stream stream_{};
  bool fed_any_ = false;            // an empty compressed payload is the empty message
  bool after_final_block_ = false;  // a BFINAL block ended the stream: the rest must produce nothing
  bool at_block_boundary_ = true;   // where a message may end
};

// Inflaters lent to connections while a compressed message is arriving: a connection that is not in the middle
// of one holds none. One pool per thread; it keeps at most a few idle ones and frees the rest.
class InflaterPool {
 public:
  static constexpr std::size_t max_idle = 4;

  static InflaterPool& this_thread();
  std::unique_ptr<MessageInflater> acquire();  // reset, ready for a message
  void release(std::unique_ptr<MessageInflater> inflater);
  std::size_t idle_count() const { return idle_.size(); }

 private:
  std::vector<std::unique_ptr<MessageInflater>> idle_;
};

}  // namespace wshub
