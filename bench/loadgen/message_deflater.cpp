// Compresses the messages of one connection as RFC 7692 section 7.2.1 says and Chromium does: raw DEFLATE, each
// message flushed with Z_SYNC_FLUSH and its trailing 00 00 ff ff removed.
#include "message_deflater.hpp"

#include <stdexcept>

namespace loadgen {
namespace {

constexpr std::string_view kSyncFlushTail{"\x00\x00\xff\xff", 4};
// zlib's default, which Chromium uses too.
constexpr int kMemoryLevel = 8;
// Room for a message that does not compress, plus the flush's few bytes.
constexpr std::size_t kSlackBytes = 64;

}  // namespace

MessageDeflater::MessageDeflater(int window_bits, bool context_takeover) : context_takeover_(context_takeover) {
  // A negative window asks zlib for a raw stream, without the zlib header and checksum.
  if (deflateInit2(&stream_, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -window_bits, kMemoryLevel, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    throw std::runtime_error("zlib could not start a deflate stream");
  }
}

MessageDeflater::~MessageDeflater() {
  deflateEnd(&stream_);
}

std::string_view MessageDeflater::compress(std::string_view text) {
  out_.resize(text.size() + kSlackBytes);
  stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  stream_.avail_in = static_cast<uInt>(text.size());
  std::size_t produced = 0;
  // Z_SYNC_FLUSH has flushed everything once it leaves room in the output.
  do {
    if (produced == out_.size()) out_.resize(out_.size() * 2);
    stream_.next_out = reinterpret_cast<Bytef*>(out_.data() + produced);
    stream_.avail_out = static_cast<uInt>(out_.size() - produced);
    if (deflate(&stream_, Z_SYNC_FLUSH) == Z_STREAM_ERROR) throw std::runtime_error("zlib's deflate failed");
    produced = out_.size() - stream_.avail_out;
  } while (stream_.avail_out == 0);
  if (!context_takeover_) deflateReset(&stream_);
  const std::string_view compressed(out_.data(), produced);
  if (!compressed.ends_with(kSyncFlushTail)) throw std::runtime_error("zlib's sync flush did not end in 00 00 ff ff");
  return compressed.substr(0, produced - kSyncFlushTail.size());
}

}  // namespace loadgen
