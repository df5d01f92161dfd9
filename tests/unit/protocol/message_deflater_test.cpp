// Tests the permessage-deflate compressor against zlib used directly: what RFC 7692 section 7.2.1 asks of each
// message, round trips across sizes, the window it is given, and one deflater per thread and settings.
#include "protocol/message_deflater.hpp"

#include <gtest/gtest.h>

#include <new>
#include <stdexcept>
#include <string>
#include <thread>

#include "zlib_reference.hpp"

namespace wshub {
namespace {

using namespace std::string_view_literals;
using testing::chat_message;
using testing::zlib_inflate;

std::string compress(std::string_view payload, int level = 6, int window_bits = 15) {
  MessageDeflater deflater(level, window_bits);
  std::string out;
  deflater.compress(payload, out);
  return out;
}

TEST(MessageDeflater, EmptyMessageIsTheSingleByteOfRfc7692Section7_2_3_6) {
  std::string const compressed = compress("");
  EXPECT_EQ(compressed, std::string(1, '\0'));
  EXPECT_EQ(zlib_inflate(compressed), "");
}

TEST(MessageDeflater, HelloIsTheBytesOfRfc7692Section7_2_3_1) {
  EXPECT_EQ(compress("Hello"), "\xf2\x48\xcd\xc9\xc9\x07\x00"sv);
}

TEST(MessageDeflater, RoundTripsThroughZlibAtEverySize) {
  std::string const one_megabyte_random = testing::random_bytes(1 << 20, 1);
  std::string const one_megabyte_repetitive = testing::repetitive_bytes(1 << 20, 1000, 2);
  for (std::string_view payload : {std::string_view("x"), chat_message, std::string_view(one_megabyte_random),
                                   std::string_view(one_megabyte_repetitive)}) {
    for (int level : {1, 6, 9}) {
      std::string const compressed = compress(payload, level);
      EXPECT_EQ(zlib_inflate(compressed), payload) << payload.size() << " bytes at level " << level;
    }
  }
}

TEST(MessageDeflater, CompressesWhatRepeats) {
  EXPECT_LT(compress(chat_message).size(), chat_message.size() * 3 / 4);
  EXPECT_LT(compress(testing::repetitive_bytes(1 << 20, 1000, 3)).size(), (1u << 20) / 100);
}

TEST(MessageDeflater, EachMessageStandsAlone) {
  MessageDeflater deflater(6, 15);
  std::string first;
  std::string second;
  deflater.compress(chat_message, first);
  deflater.compress(chat_message, second);
  // With context taken over the second would refer back to the first and be a few bytes long.
  EXPECT_EQ(first, second);
  EXPECT_EQ(zlib_inflate(second), chat_message);
}

TEST(MessageDeflater, AppendsAfterWhatOutHolds) {
  std::string out = "frame header";
  MessageDeflater(6, 15).compress("Hello", out);
  EXPECT_EQ(out, "frame header\xf2\x48\xcd\xc9\xc9\x07\x00"sv);
}

TEST(MessageDeflater, KeepsToTheWindowItIsGiven) {
  // Repeats 1,000 bytes apart: within a 1 KiB window, beyond a 512-byte one.
  std::string const payload = testing::repetitive_bytes(1 << 16, 1000, 4);
  std::string const small_window = compress(payload, 9, 9);
  EXPECT_EQ(zlib_inflate(small_window, 9), payload);
  std::string const large_window = compress(payload, 9, 15);
  EXPECT_LT(large_window.size(), small_window.size() / 10);
  EXPECT_THROW(zlib_inflate(large_window, 9), std::runtime_error);
}

TEST(MessageDeflater, RejectsSettingsOutsideRfc7692) {
  EXPECT_THROW(MessageDeflater(0, 15), std::invalid_argument);
  EXPECT_THROW(MessageDeflater(10, 15), std::invalid_argument);
  EXPECT_THROW(MessageDeflater(6, 8), std::invalid_argument);
  EXPECT_THROW(MessageDeflater(6, 16), std::invalid_argument);
  EXPECT_THROW(MessageDeflater(6, 15, 0), std::invalid_argument);
}

// Groups of a 128-byte text, then decoys that share its first shared_bytes, then the text again: its one long match is
// decoys + 1 places back on the hash chain of its first bytes, which a shallower search does not reach.
std::string text_behind_decoys(std::size_t shared_bytes, unsigned decoys) {
  std::string payload;
  for (unsigned group = 0; group < 8; ++group) {
    std::string const text = testing::random_bytes(128, group);
    std::string_view const shared_start = std::string_view(text).substr(0, shared_bytes);
    payload += text;
    for (unsigned decoy = 0; decoy < decoys; ++decoy) {
      payload += shared_start;
      payload += testing::random_bytes(8, 1000 + decoy);
    }
    payload += text;
  }
  return payload;
}

std::string compress_with_match_search_limit(std::string_view payload, int level, int max_chain) {
  MessageDeflater deflater(level, 15, 8);
  deflater.limit_match_search(max_chain);
  std::string out;
  deflater.compress(payload, out);
  return out;
}

// zlib itself at this level and memLevel 8, its search set by deflateTune, sync-flushed, tail removed.
std::string zlib_searching(std::string_view payload, int level, int good, int lazy, int nice, int max_chain) {
  z_stream stream{};
  if (deflateInit2(&stream, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) throw std::bad_alloc();
  deflateTune(&stream, good, lazy, nice, max_chain);
  std::string out(deflateBound(&stream, static_cast<uLong>(payload.size())) + 16, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(payload.data()));
  stream.avail_in = static_cast<uInt>(payload.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  deflate(&stream, Z_SYNC_FLUSH);
  out.resize(out.size() - stream.avail_out - testing::sync_flush_tail.size());
  deflateEnd(&stream);
  return out;
}

TEST(MessageDeflater, LimitsItsMatchSearchAsDeflateTuneDoesEvenAfterAReset) {
  std::string const payload = text_behind_decoys(64, 100);
  // compress() starts with deflateReset, which restores the level's own search: the limit must outlive it.
  std::string const limited = compress_with_match_search_limit(payload, 6, 32);
  EXPECT_EQ(limited, zlib_searching(payload, 6, 8, 16, 128, 32));
  EXPECT_NE(limited, zlib_searching(payload, 6, 8, 16, 128, 128));
  EXPECT_EQ(zlib_inflate(limited), payload);
}

TEST(MessageDeflater, ALevelThatSearchesLessKeepsItsOwnSearch) {
  // Level 4 looks 16 places deep and stops at a match of 16 bytes: decoys sharing 8 bytes, the text 25 places back.
  std::string const payload = text_behind_decoys(8, 24);
  MessageDeflater unlimited(4, 15, 8);
  std::string own;
  unlimited.compress(payload, own);
  ASSERT_NE(own, zlib_searching(payload, 4, 4, 4, 16, 32)) << "a search of 32 places must find more here";
  EXPECT_EQ(compress_with_match_search_limit(payload, 4, 32), own);
}

TEST(MessageDeflater, EveryMemLevelRoundTrips) {
  for (int mem_level = 1; mem_level <= 9; ++mem_level) {
    MessageDeflater deflater(6, 15, mem_level);
    std::string out;
    deflater.compress(chat_message, out);
    EXPECT_EQ(zlib_inflate(out), chat_message) << "memLevel " << mem_level;
  }
}

TEST(ThreadDeflater, OnePerThreadAndSettings) {
  MessageDeflater& first = thread_deflater(6, 15);
  EXPECT_EQ(&thread_deflater(6, 15), &first);
  EXPECT_NE(&thread_deflater(1, 15), &first);
  EXPECT_NE(&thread_deflater(6, 12), &first);
  MessageDeflater* other_threads = nullptr;
  std::thread([&other_threads] { other_threads = &thread_deflater(6, 15); }).join();
  EXPECT_NE(other_threads, &first);
  std::string out;
  first.compress("Hello", out);
  EXPECT_EQ(zlib_inflate(out), "Hello");
}

}  // namespace
}  // namespace wshub
