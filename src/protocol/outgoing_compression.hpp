// How one connection's text messages go out: compressed with permessage-deflate (RFC 7692 section 7.2.1) when it
// negotiated it and the message is long enough to gain from it, as they are otherwise.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/deflate_negotiation.hpp"
#include "protocol/deflater_budget.hpp"
#include "protocol/outgoing_frame.hpp"

namespace wshub {

// The settings of permessage-deflate, each with its default.
struct DeflateOptions {
  bool enabled = true;  // as uvicorn's ws_per_message_deflate: every client that offers it gets it
  int level = 6;        // zlib's 1 (fastest) to 9 (smallest)
  // Shorter messages go out uncompressed (RFC 7692 section 6 allows it per message): deflate gains nothing on them.
  std::size_t min_message_bytes = 64;
  // At most this many connections at once keep a deflater of their own between messages (about 86 KiB each); the
  // others compress each message on their own. 0: none, and the server announces server_no_context_takeover.
  std::size_t max_context_deflaters = 1024;
};

// The history a connection's own deflater keeps: 2^14 bytes of window and zlib's memLevel 5, about 86 KiB in all.
// On the benchmark's 256-byte chat echoes that takes 0.34 wire bytes per byte where 2^15 takes 0.325 (the Python
// service's figure) for 64 KiB more and 15% more CPU, and 2^13 and 2^12 take 0.36 and 0.39 (docs/benchmarks.md,
// "Context takeover"). The client's inflater reads it whatever window it agreed to.
inline constexpr int context_window_bits = 14;
inline constexpr int context_mem_level = 5;
// A history gives zlib's hash chains many more places to look at for each match, each a cache miss: at level 6,
// looking at 32 instead of 128 takes a tenth off the CPU of a compressed 256-byte echo for 2% more bytes on the wire
// (docs/benchmarks.md, "Context takeover").
inline constexpr int context_max_chain = 32;

class OutgoingCompression {
 public:
  // Nothing negotiated: every message goes out as it is.
  OutgoingCompression() = default;
  // contexts: where a connection that keeps its history between messages gets its deflater; null or
  // server_no_context_takeover: every message is compressed on its own.
  OutgoingCompression(DeflateOptions const& options, DeflateParameters const& parameters,
                      DeflaterBudget* contexts = nullptr);

  bool negotiated() const { return negotiated_; }
  // Whether this connection holds a deflater of its own now.
  bool holds_context() const { return context_ != nullptr; }

  // Appends first + second as one text frame; returns the size of its payload on the wire. The frame must reach
  // the client after every frame this object made before it, and before every later one.
  std::size_t append_text_frame(std::string& out, std::string_view first, std::string_view second);
  // The frame this client is sent for a shared one, with the same ordering rule: the compressed form made once for
  // every client with the full window, one of its own if it asked for a smaller window, or the frame as it is.
  SharedFrame frame_for(SharedFrame const& frame);
  // Called now and then (the keepalive's tick): gives the deflater back if nothing was compressed with it since
  // the last call, so that a connection that went idle holds no history.
  void drop_context_if_idle();

 private:
  bool worth_compressing(std::size_t payload_bytes) const { return negotiated_ && payload_bytes >= min_message_bytes_; }
  // Compresses text for this client into this thread's scratch buffer: with its own deflater if it can have one,
  // referring back to what it was sent before, otherwise on its own.
  std::string_view compress(std::string_view text);
  // The connection's deflater, made if it has none and the budget allows; null otherwise.
  MessageDeflater* context();

  bool negotiated_ = false;
  int level_ = 0;
  int window_bits_ = 15;
  std::size_t min_message_bytes_ = 0;
  DeflaterBudget* contexts_ = nullptr;  // null: no context takeover
  DeflaterBudget::OwnDeflater context_{nullptr, DeflaterBudget::GiveBack{}};
  // Something the deflater did not compress (a shared broadcast) entered the client's window after what it did:
  // its next message must not refer back, since the distances would point at the wrong bytes.
  bool client_window_moved_ = false;
  bool compressed_since_tick_ = false;
};

}  // namespace wshub
