// Tests the permessage-deflate decompressor: RFC 7692's examples, round trips with MessageDeflater and with zlib
// used directly, input cut anywhere, the size limit against a decompression bomb, corrupt input, and the pool.
#include "protocol/message_inflater.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "protocol/message_deflater.hpp"
#include "zlib_reference.hpp"

namespace wshub {
namespace {

using namespace std::string_view_literals;
using InflateStatus = MessageInflater::Status;
using testing::chat_message;

constexpr std::size_t mebibyte = std::size_t{1} << 20;
constexpr std::size_t no_limit = 64 * mebibyte;

// Feeds the message in pieces of piece_bytes, then finishes it; the first status that is not ok, or ok.
InflateStatus inflate_message(MessageInflater& inflater, std::string_view compressed, std::string& out,
                              std::size_t max_bytes = no_limit, std::size_t piece_bytes = std::string_view::npos) {
  for (std::size_t offset = 0; offset < compressed.size(); offset += piece_bytes) {
    InflateStatus const status = inflater.feed(compressed.substr(offset, piece_bytes), out, max_bytes);
    if (status != InflateStatus::ok) return status;
  }
  return inflater.finish(out, max_bytes);
}

std::string inflated(std::string_view compressed, std::size_t piece_bytes = std::string_view::npos) {
  MessageInflater inflater;
  std::string out;
  EXPECT_EQ(inflate_message(inflater, compressed, out, no_limit, piece_bytes), InflateStatus::ok);
  return out;
}

std::string deflated(std::string_view payload) {
  std::string out;
  MessageDeflater(6, 15).compress(payload, out);
  return out;
}

std::vector<std::string> sample_payloads() {
  return {"", "x", std::string(chat_message), testing::random_bytes(mebibyte, 1),
          testing::repetitive_bytes(mebibyte, 20000, 2)};  // 20,000 apart: matches reach far into the window
}

TEST(MessageInflater, InflatesTheExamplesOfRfc7692Section7_2_3) {
  EXPECT_EQ(inflated("\xf2\x48\xcd\xc9\xc9\x07\x00"sv), "Hello");  // 7.2.3.1
  // 7.2.3.3: a block with BFINAL set, then the first byte of the empty stored block the sender appended.
  EXPECT_EQ(inflated("\xf3\x48\xcd\xc9\xc9\x07\x00\x00"sv), "Hello");
  // 7.2.3.4: two blocks in one message.
  EXPECT_EQ(inflated("\xf2\x48\x05\x00\x00\x00\xff\xff\xca\xc9\xc9\x07\x00"sv), "Hello");
  // 7.2.3.5: a stored block.
  EXPECT_EQ(inflated("\x00\x05\x00\xfa\xff\x48\x65\x6c\x6c\x6f\x00"sv), "Hello");
  EXPECT_EQ(inflated("\x00"sv), "");  // 7.2.3.6: an empty message
}

TEST(MessageInflater, AnEmptyCompressedPayloadIsTheEmptyMessage) {
  MessageInflater inflater;
  std::string out;
  EXPECT_EQ(inflater.feed("", out, no_limit), InflateStatus::ok);
  EXPECT_EQ(inflater.finish(out, no_limit), InflateStatus::ok);
  EXPECT_EQ(out, "");
}

TEST(MessageInflater, RoundTripsWithMessageDeflater) {
  for (std::string const& payload : sample_payloads()) EXPECT_EQ(inflated(deflated(payload)), payload);
}

TEST(MessageInflater, RoundTripsWithZlibFlushingAfterEveryFrame) {
  for (std::string const& payload : sample_payloads()) {
    EXPECT_EQ(inflated(testing::zlib_compress(payload)), payload);
    EXPECT_EQ(inflated(testing::zlib_compress(payload, 9, 4096)), payload) << "a sync flush every 4 KiB";
  }
}

TEST(MessageInflater, AcceptsAStreamEndedByABfinalBlock) {
  // zlib's Z_FINISH ends with BFINAL; RFC 7692 section 7.2.1 then appends an empty stored block, and removes its
  // last 4 bytes.
  std::string const finished = testing::zlib_compress(chat_message, 6, std::string_view::npos, Z_FINISH);
  EXPECT_EQ(inflated(finished + std::string(1, '\0')), chat_message);
  std::string const empty_finished = testing::zlib_compress("", 6, std::string_view::npos, Z_FINISH);
  EXPECT_EQ(inflated(empty_finished + std::string(1, '\0')), "");
  EXPECT_EQ(inflated(std::string(1, '\1')), "");  // a final stored block of nothing, completed by the tail
}

TEST(MessageInflater, DataAfterABfinalBlockIsCorrupt) {
  std::string message = testing::zlib_compress("Hello", 6, std::string_view::npos, Z_FINISH);
  message += testing::zlib_compress(", world");
  MessageInflater inflater;
  std::string out;
  EXPECT_EQ(inflate_message(inflater, message, out), InflateStatus::corrupt);
}

TEST(MessageInflater, AMessageThatStopsMidBlockIsCorrupt) {
  // Z_FINISH's output without the empty stored block RFC 7692 asks for: the tail then starts a stored block that
  // never ends.
  std::string const finished = testing::zlib_compress(chat_message, 6, std::string_view::npos, Z_FINISH);
  MessageInflater inflater;
  std::string out;
  EXPECT_EQ(inflate_message(inflater, finished, out), InflateStatus::corrupt);
  // A stored block cut short.
  inflater.reset();
  out.clear();
  EXPECT_EQ(inflate_message(inflater, "\x00\x05\x00\xfa\xff\x48\x65"sv, out), InflateStatus::corrupt);
}

TEST(MessageInflater, InflatesAMessageFedOneByteAtATime) {
  for (std::string const& payload : {std::string(chat_message), testing::repetitive_bytes(100000, 3000, 5)}) {
    EXPECT_EQ(inflated(deflated(payload), 1), payload);
    EXPECT_EQ(inflated(testing::zlib_compress(payload, 9, 777), 1), payload);
  }
}

TEST(MessageInflater, InflatesManyMessagesWithAResetBetween) {
  MessageInflater inflater;
  for (int round = 0; round < 3; ++round) {
    for (std::string const& payload : sample_payloads()) {
      std::string out;
      EXPECT_EQ(inflate_message(inflater, deflated(payload), out), InflateStatus::ok);
      EXPECT_EQ(out, payload);
      inflater.reset();
    }
  }
}

TEST(MessageInflater, AppendsAfterWhatOutHolds) {
  MessageInflater inflater;
  std::string out = "so far: ";
  EXPECT_EQ(inflate_message(inflater, deflated("Hello"), out), InflateStatus::ok);
  EXPECT_EQ(out, "so far: Hello");
}

TEST(MessageInflater, AMessageOfExactlyTheLimitFits) {
  std::string const payload = testing::repetitive_bytes(100000, 100, 6);
  std::string const compressed = deflated(payload);
  MessageInflater inflater;
  std::string out;
  EXPECT_EQ(inflate_message(inflater, compressed, out, payload.size()), InflateStatus::ok);
  EXPECT_EQ(out, payload);

  inflater.reset();
  out.clear();
  EXPECT_EQ(inflate_message(inflater, compressed, out, payload.size() - 1), InflateStatus::too_big);
  EXPECT_LE(out.size(), payload.size());
}

TEST(MessageInflater, TheLargestLimitMeansNoLimit) {
  std::string const payload = testing::repetitive_bytes(200000, 100, 7);
  MessageInflater inflater;
  std::string out;
  EXPECT_EQ(inflate_message(inflater, deflated(payload), out, SIZE_MAX), InflateStatus::ok);
  EXPECT_EQ(out, payload);
}

TEST(MessageInflater, CountsWhatOutAlreadyHoldsAgainstTheLimit) {
  MessageInflater inflater;
  std::string out(10, 'a');
  EXPECT_EQ(inflate_message(inflater, deflated("Hello"), out, 14), InflateStatus::too_big);
  EXPECT_LE(out.size(), 15u);
}

std::size_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::size_t total_pages = 0;
  std::size_t resident_pages = 0;
  statm >> total_pages >> resident_pages;
  return resident_pages * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

// 64 MiB of zeros deflated, made a mebibyte at a time so that the test never holds the 64 MiB.
std::string zero_bomb() {
  z_stream stream{};
  deflateInit2(&stream, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
  std::string const zeros(mebibyte, '\0');
  std::string bomb;
  for (int chunk = 0; chunk < 64; ++chunk) {
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(zeros.data()));
    stream.avail_in = static_cast<uInt>(zeros.size());
    do {
      char buffer[16384];
      stream.next_out = reinterpret_cast<Bytef*>(buffer);
      stream.avail_out = sizeof buffer;
      deflate(&stream, chunk == 63 ? Z_SYNC_FLUSH : Z_NO_FLUSH);
      bomb.append(buffer, sizeof buffer - stream.avail_out);
    } while (stream.avail_out == 0);
  }
  deflateEnd(&stream);
  bomb.resize(bomb.size() - testing::sync_flush_tail.size());
  return bomb;
}

TEST(MessageInflater, ADecompressionBombStopsAtTheLimit) {
  std::string const bomb = zero_bomb();
  EXPECT_LT(bomb.size(), 100000u);
  std::size_t const resident_before = resident_bytes();
  MessageInflater inflater;
  std::string out;
  // As frames of 16 KiB arrive.
  EXPECT_EQ(inflate_message(inflater, bomb, out, mebibyte, 16384), InflateStatus::too_big);
  EXPECT_LE(out.size(), mebibyte + 1);
  EXPECT_GE(out.size(), mebibyte);
  // The message's mebibyte, and the smaller buffers the string outgrew on the way, which malloc keeps for reuse
  // (about 3 MiB in all, measured with and without AddressSanitizer): nowhere near the 64 MiB the bomb stands for.
  EXPECT_LT(resident_bytes() - resident_before, 6 * mebibyte);
  // All at once, too.
  inflater.reset();
  out.clear();
  EXPECT_EQ(inflater.feed(bomb, out, mebibyte), InflateStatus::too_big);
  EXPECT_LE(out.size(), mebibyte + 1);
}

TEST(MessageInflater, RandomBytesAreCorrupt) {
  for (unsigned seed = 1; seed <= 20; ++seed) {
    MessageInflater inflater;
    std::string out;
    EXPECT_EQ(inflate_message(inflater, testing::random_bytes(4096, seed), out, mebibyte), InflateStatus::corrupt)
        << "seed " << seed;
  }
}

TEST(MessageInflater, AValidMessageWithAFlippedByteIsCorrupt) {
  // The first block's type set to 11, which RFC 1951 reserves.
  std::string bad_block_type = deflated(chat_message);
  bad_block_type[0] = static_cast<char>(bad_block_type[0] | 0x06);
  // A stored block whose length's complement no longer matches.
  std::string bad_stored_length("\x00\x05\x00\xfa\xff\x48\x65\x6c\x6c\x6f\x00"sv);
  bad_stored_length[3] = '\xfb';
  for (std::string const& message : {bad_block_type, bad_stored_length}) {
    MessageInflater inflater;
    std::string out;
    EXPECT_EQ(inflate_message(inflater, message, out), InflateStatus::corrupt);
  }
}

TEST(InflaterPool, LendsResetInflatersAndKeepsAFewIdle) {
  InflaterPool& pool = InflaterPool::this_thread();
  EXPECT_EQ(&InflaterPool::this_thread(), &pool);
  std::vector<std::unique_ptr<MessageInflater>> lent;
  for (int each = 0; each < 6; ++each) lent.push_back(pool.acquire());
  // Half a message, then back to the pool: whoever gets it next starts afresh.
  std::string out;
  std::string const compressed = deflated(chat_message);
  EXPECT_EQ(lent[0]->feed(std::string_view(compressed).substr(0, 10), out, no_limit), InflateStatus::ok);
  for (auto& inflater : lent) pool.release(std::move(inflater));
  EXPECT_EQ(pool.idle_count(), InflaterPool::max_idle);

  std::vector<std::unique_ptr<MessageInflater>> again;
  for (std::size_t each = 0; each < InflaterPool::max_idle; ++each) {
    again.push_back(pool.acquire());
    out.clear();
    EXPECT_EQ(inflate_message(*again.back(), compressed, out), InflateStatus::ok);
    EXPECT_EQ(out, chat_message);
  }
  EXPECT_EQ(pool.idle_count(), 0u);
  for (auto& inflater : again) pool.release(std::move(inflater));
}

TEST(InflaterPool, OnePoolPerThread) {
  InflaterPool* other_threads = nullptr;
  std::thread([&other_threads] { other_threads = &InflaterPool::this_thread(); }).join();
  EXPECT_NE(other_threads, &InflaterPool::this_thread());
}

}  // namespace
}  // namespace wshub
