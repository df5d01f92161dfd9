// A zlib raw-DEFLATE stream that compresses whole messages, each on its own or referring back to earlier ones.
#include "protocol/message_deflater.hpp"

#include <algorithm>
#include <array>
#include <climits>
#include <memory>
#include <new>
#include <stdexcept>
#include <vector>

namespace wshub {
namespace {

// What every sync-flushed message ends with (an empty stored block), which RFC 7692 has the sender remove.
constexpr std::string_view sync_flush_tail{"\x00\x00\xff\xff", 4};

// deflateBound does not count the sync flush's empty stored block (5 bytes); zlib asks for more than 6 bytes of
// room with Z_SYNC_FLUSH so that it never emits the flush marker twice.
constexpr std::size_t flush_room_bytes = 16;

// zlib counts input in uInt: larger payloads go in pieces.
constexpr std::size_t max_piece_bytes = UINT_MAX;

// How zlib searches for matches at each level: the rows of deflate.c's configuration_table (the same since zlib
// 1.0), which deflateTune needs whole to change only max_chain.
struct MatchSearch {
  int good_length;
  int max_lazy;
  int nice_length;
  int max_chain;
};
constexpr std::array<MatchSearch, 10> zlib_match_search{{{0, 0, 0, 0},
                                                         {4, 4, 8, 4},
                                                         {4, 5, 16, 8},
                                                         {4, 6, 32, 32},
                                                         {4, 4, 16, 16},
                                                         {8, 16, 32, 32},
                                                         {8, 16, 128, 128},
                                                         {8, 32, 128, 256},
                                                         {32, 128, 258, 1024},
                                                         {32, 258, 258, 4096}}};

}  // namespace

MessageDeflater::MessageDeflater(int level, int window_bits, int mem_level) : level_(level) {
  if (level < 1 || level > 9 || window_bits < 9 || window_bits > 15 || mem_level < 1 || mem_level > 9) {
    throw std::invalid_argument("MessageDeflater: level 1..9, window_bits 9..15, mem_level 1..9");
  }
  // Negative window bits: raw DEFLATE, without zlib's header and checksum.
  int const result = deflateInit2(&stream_, level, Z_DEFLATED, -window_bits, mem_level, Z_DEFAULT_STRATEGY);
  if (result == Z_MEM_ERROR) throw std::bad_alloc();
  if (result != Z_OK) throw std::runtime_error("deflateInit2 failed");
}

MessageDeflater::~MessageDeflater() {
  deflateEnd(&stream_);
}

void MessageDeflater::compress(std::string_view payload, std::string& out) {
  forget_history();
  compress_continuing(payload, out);
}

void MessageDeflater::forget_history() {
  deflateReset(&stream_);
  apply_match_search_limit();
}

void MessageDeflater::limit_match_search(int max_chain) {
  max_chain_ = max_chain;
  apply_match_search_limit();
}

void MessageDeflater::apply_match_search_limit() {
  MatchSearch const& own = zlib_match_search[static_cast<std::size_t>(level_)];
  if (max_chain_ <= 0 || own.max_chain <= max_chain_) return;
  deflateTune(&stream_, own.good_length, own.max_lazy, own.nice_length, max_chain_);
}

void MessageDeflater::compress_continuing(std::string_view payload, std::string& out) {
  std::size_t const start = out.size();
  std::size_t written = start;
  out.resize(start + deflateBound(&stream_, static_cast<uLong>(payload.size())) + flush_room_bytes);
  // zlib never writes through next_in; its interface predates const.
  stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(payload.data()));
  std::size_t input_left = payload.size();
  while (true) {
    auto const piece = static_cast<uInt>(std::min(input_left, max_piece_bytes));
    stream_.avail_in = piece;
    if (out.size() - written <= flush_room_bytes) out.resize(out.size() * 2);
    auto const room = static_cast<uInt>(std::min(out.size() - written, max_piece_bytes));
    stream_.next_out = reinterpret_cast<Bytef*>(out.data() + written);
    stream_.avail_out = room;
    // Cannot fail: the stream and its buffers are valid. The flush goes with the last of the input.
    deflate(&stream_, piece == input_left ? Z_SYNC_FLUSH : Z_NO_FLUSH);
    written += room - stream_.avail_out;
    input_left -= piece - stream_.avail_in;
    // With output room left over, the flush is complete: deflate stops early only when it runs out of room.
    if (input_left == 0 && stream_.avail_out != 0) break;
  }
  out.resize(written - sync_flush_tail.size());
}

MessageDeflater& thread_deflater(int level, int window_bits) {
  struct Entry {
    int level;
    int window_bits;
    std::unique_ptr<MessageDeflater> deflater;
  };
  // A few settings at most per process, so a short list beats a map.
  thread_local std::vector<Entry> deflaters;
  auto const found = std::find_if(deflaters.begin(), deflaters.end(), [&](Entry const& entry) {
    return entry.level == level && entry.window_bits == window_bits;
  });
  if (found != deflaters.end()) return *found->deflater;
  deflaters.push_back({level, window_bits, std::make_unique<MessageDeflater>(level, window_bits)});
  return *deflaters.back().deflater;
}

}  // namespace wshub
