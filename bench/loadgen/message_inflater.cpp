// Inflates the compressed messages one connection receives (RFC 7692 section 7.2.2): the payload with 00 00 ff ff
// put back, through one raw inflate stream that keeps its window between messages unless the server resets its own.
#include "message_inflater.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>

namespace loadgen {
namespace {

constexpr std::string_view kSyncFlushTail{"\x00\x00\xff\xff", 4};
// The largest window a server may use; a smaller one reads the same way.
constexpr int kWindowBits = 15;
constexpr std::size_t kGrowthBytes = 4096;

}  // namespace

MessageInflater::MessageInflater(bool context_takeover) : context_takeover_(context_takeover) {
  if (inflateInit2(&stream_, -kWindowBits) != Z_OK) throw std::runtime_error("zlib could not start an inflate stream");
}

MessageInflater::~MessageInflater() {
  inflateEnd(&stream_);
}

bool MessageInflater::inflate(std::string_view payload, std::string& text, std::size_t max_bytes) {
  text.clear();
  Piece piece = inflate_piece(payload, text, max_bytes);
  if (piece == Piece::consumed) piece = inflate_piece(kSyncFlushTail, text, max_bytes);
  // A final block ends the DEFLATE stream and the message with it: what follows it in the message is not DEFLATE data.
  if (piece == Piece::stream_ended) return restart_keeping_window();
  if (!context_takeover_ || piece == Piece::failed) inflateReset(&stream_);
  return piece == Piece::consumed;
}

// Feeds `piece` to the stream, appending what comes out to `text`.
MessageInflater::Piece MessageInflater::inflate_piece(std::string_view piece, std::string& text,
                                                      std::size_t max_bytes) {
  stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(piece.data()));
  stream_.avail_in = static_cast<uInt>(piece.size());
  while (true) {
    const std::size_t produced = text.size();
    if (produced >= max_bytes) return Piece::failed;
    text.resize(std::min(produced + kGrowthBytes, max_bytes));
    stream_.next_out = reinterpret_cast<Bytef*>(text.data() + produced);
    stream_.avail_out = static_cast<uInt>(text.size() - produced);
    const int status = ::inflate(&stream_, Z_SYNC_FLUSH);
    text.resize(text.size() - stream_.avail_out);
    if (status == Z_STREAM_END) return Piece::stream_ended;
    if (status == Z_BUF_ERROR || (status == Z_OK && stream_.avail_in == 0 && stream_.avail_out != 0)) {
      return Piece::consumed;
    }
    if (status != Z_OK) return Piece::failed;
  }
}

// After a final block a later message may still refer back into the window (with context takeover), so carry it
// over into the restarted stream.
bool MessageInflater::restart_keeping_window() {
  std::array<Bytef, std::size_t{1} << kWindowBits> window;
  uInt window_size = 0;
  if (context_takeover_ && inflateGetDictionary(&stream_, window.data(), &window_size) != Z_OK) return false;
  inflateReset(&stream_);
  return !context_takeover_ || inflateSetDictionary(&stream_, window.data(), window_size) == Z_OK;
}

}  // namespace loadgen
