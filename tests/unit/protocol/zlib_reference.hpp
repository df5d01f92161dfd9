// zlib used directly, as the codec's tests' independent reference, and the payloads they compress.
#pragma once

#include <algorithm>
#include <cstddef>
#include <new>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>

#include <zlib.h>

namespace wshub::testing {

// What RFC 7692 has the sender remove from every message, and the receiver put back.
inline constexpr std::string_view sync_flush_tail{"\x00\x00\xff\xff", 4};

// A chat message as the benchmark's JSON of about 256 bytes.
inline constexpr std::string_view chat_message =
    R"({"type":"chat","room":"general","user":"ada.lovelace","sent_at":"2026-12-03T04:26:46Z","text":"The analytical )"
    R"(engine weaves algebraical patterns just as the Jacquard loom weaves flowers and leaves; shall we meet at noon?"})";

inline std::string random_bytes(std::size_t size, unsigned seed) {
  std::mt19937 generator(seed);
  std::uniform_int_distribution<int> byte(0, 255);
  std::string bytes(size, '\0');
  for (char& each : bytes) each = static_cast<char>(byte(generator));
  return bytes;
}

// A random block repeated: compresses well, and only with matches as far back as the block is long.
inline std::string repetitive_bytes(std::size_t size, std::size_t period, unsigned seed) {
  std::string const block = random_bytes(period, seed);
  std::string bytes;
  bytes.reserve(size);
  while (bytes.size() < size) bytes.append(block, 0, std::min(period, size - bytes.size()));
  return bytes;
}

// Raw DEFLATE as a streaming client would send a message: a sync flush after every piece of piece_bytes, and the
// last flush's 00 00 ff ff removed (RFC 7692 section 7.2.1).
inline std::string zlib_compress(std::string_view payload, int level = Z_DEFAULT_COMPRESSION,
                                 std::size_t piece_bytes = std::string_view::npos, int flush_last = Z_SYNC_FLUSH) {
  z_stream stream{};
  if (deflateInit2(&stream, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) throw std::bad_alloc();
  std::string out;
  std::size_t offset = 0;
  do {
    std::string_view const piece = payload.substr(offset, piece_bytes);
    offset += piece.size();
    bool const last = offset == payload.size();
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(piece.data()));
    stream.avail_in = static_cast<uInt>(piece.size());
    do {
      char buffer[16384];
      stream.next_out = reinterpret_cast<Bytef*>(buffer);
      stream.avail_out = sizeof buffer;
      deflate(&stream, last ? flush_last : Z_SYNC_FLUSH);
      out.append(buffer, sizeof buffer - stream.avail_out);
    } while (stream.avail_out == 0);
  } while (offset < payload.size());
  deflateEnd(&stream);
  if (flush_last == Z_SYNC_FLUSH) out.resize(out.size() - sync_flush_tail.size());
  return out;
}

// The payload a compressed message stands for, inflated by zlib alone with the given window; throws if zlib finds
// it corrupt, or if it ends the DEFLATE stream (a sync-flushed message never does).
inline std::string zlib_inflate(std::string_view compressed, int window_bits = 15) {
  z_stream stream{};
  if (inflateInit2(&stream, -window_bits) != Z_OK) throw std::bad_alloc();
  std::string input(compressed);
  input += sync_flush_tail;
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  stream.avail_in = static_cast<uInt>(input.size());
  std::string out;
  int result = Z_OK;
  do {
    char buffer[16384];
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof buffer;
    result = inflate(&stream, Z_SYNC_FLUSH);
    out.append(buffer, sizeof buffer - stream.avail_out);
  } while (result == Z_OK && stream.avail_out == 0);
  inflateEnd(&stream);
  if (result != Z_OK && result != Z_BUF_ERROR) throw std::runtime_error("zlib: corrupt");
  return out;
}

}  // namespace wshub::testing
