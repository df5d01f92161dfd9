// Tests the write queue: order, partial writes, coalescing of a client's own bytes, backlog and dropping.
#include "server/write_queue.hpp"

#include <array>

#include <gtest/gtest.h>

namespace wshub {
namespace {

// Everything gather() would hand to one write, as one string.
std::string next_write(WriteQueue const& queue) {
  std::array<asio::const_buffer, 64> buffers;
  std::string bytes;
  for (std::size_t i = 0, count = queue.gather(buffers); i < count; ++i) {
    bytes.append(static_cast<char const*>(buffers[i].data()), buffers[i].size());
  }
  return bytes;
}

TEST(WriteQueue, KeepsOrderAcrossSharedAndOwnBytes) {
  WriteQueue queue;
  queue.append("101;");
  queue.push(SharedFrame::text("b"));
  queue.append("e1;");
  queue.append("e2;");
  EXPECT_EQ(next_write(queue),
            "101;\x81\x01"
            "be1;e2;");
}

TEST(WriteQueue, PartialWritesResumeWhereTheyStopped) {
  WriteQueue queue;
  queue.append("abc");
  queue.push(SharedFrame::text("xyz"));
  queue.consume(2);
  EXPECT_EQ(next_write(queue), "c\x81\x03xyz");
  queue.consume(3);
  EXPECT_EQ(next_write(queue), "xyz");
  queue.consume(3);
  EXPECT_TRUE(queue.empty());
  EXPECT_EQ(next_write(queue), "");
}

TEST(WriteQueue, BacklogLeavesOutTheChunkBeingWrittenButCountsEachChunk) {
  WriteQueue queue;
  queue.append(std::string(1000, 'a'));
  // Only the head's bookkeeping counts, not its 1000 bytes, which are on their way.
  auto const one_chunk = queue.backlog_bytes();
  EXPECT_GT(one_chunk, 0U);
  EXPECT_LT(one_chunk, 1000U);
  queue.push(SharedFrame::text(std::string(100, 'b')));
  EXPECT_EQ(queue.backlog_bytes(), 102 + 2 * one_chunk);
  queue.consume(1000);
  EXPECT_EQ(queue.backlog_bytes(), one_chunk);
}

TEST(WriteQueue, OwnBytesNeverJoinTheChunkBeingWrittenSoTheBacklogCountsThem) {
  WriteQueue queue;
  queue.append("first reply;");
  queue.consume(3);
  auto const head_only = queue.backlog_bytes();
  for (int i = 0; i < 1000; ++i) queue.append("echo;");
  // A client that never reads must see its echoes count against the cap, not vanish into the head chunk.
  EXPECT_GE(queue.backlog_bytes(), head_only + 5000);
  EXPECT_EQ(next_write(queue).size(), std::string("st reply;").size() + 5000);
}

TEST(WriteQueue, DropUnstartedKeepsAHalfWrittenChunk) {
  WriteQueue queue;
  queue.append("half");
  queue.push(SharedFrame::text("never"));
  queue.consume(2);
  queue.drop_unstarted(0);  // plain: nothing is held in a record
  EXPECT_EQ(next_write(queue), "lf");
  queue.consume(2);
  EXPECT_TRUE(queue.empty());

  queue.push(SharedFrame::text("not started"));
  queue.drop_unstarted(0);
  EXPECT_TRUE(queue.empty());
}

TEST(WriteQueue, DropUnstartedKeepsTheChunksACommittedWriteHolds) {
  WriteQueue queue;
  queue.append("first");
  queue.push(SharedFrame::text("second"));
  queue.push(SharedFrame::text("third"));
  queue.consume(2);
  // "rst" and the first byte of the second frame are in a TLS record that could not go out yet.
  queue.drop_unstarted(4);
  EXPECT_EQ(next_write(queue), "rst" + std::string(SharedFrame::text("second").bytes()));

  WriteQueue untouched;
  untouched.push(SharedFrame::text("committed"));
  untouched.push(SharedFrame::text("dropped"));
  untouched.drop_unstarted(1);
  EXPECT_EQ(next_write(untouched), SharedFrame::text("committed").bytes());
}

TEST(WriteQueue, ManySmallWritesDrainInOrder) {
  WriteQueue queue;
  std::string expected;
  for (int i = 0; i < 1000; ++i) {
    auto const frame = SharedFrame::text(std::to_string(i));
    queue.push(frame);
    expected += frame.bytes();
  }
  std::string written;
  while (!queue.empty()) {
    auto const bytes = next_write(queue).substr(0, 7);  // an awkward write size, cutting frames anywhere
    written += bytes;
    queue.consume(bytes.size());
  }
  EXPECT_EQ(written, expected);
}

}  // namespace
}  // namespace wshub
