// Tests the keeping of a frame cut off by the end of a read: no copy when a read ends on a frame boundary, the
// rest joined in order, and the storage of a large frame given back.
#include "server/partial_frame.hpp"

#include <gtest/gtest.h>

#include "server/io_buffers.hpp"

namespace wshub {
namespace {

std::string text(std::span<char> bytes) {
  return {bytes.data(), bytes.size()};
}

TEST(PartialFrame, ParsesAReadInPlaceWhenNothingWasKept) {
  PartialFrame partial("");
  std::string read = "abc";
  auto const input = partial.join(read);
  EXPECT_EQ(input.data(), read.data()) << "copied";
  EXPECT_EQ(input.size(), 3U);
}

TEST(PartialFrame, StartsWithTheBytesThatCameWithTheUpgradeRequest) {
  PartialFrame partial("early");
  EXPECT_FALSE(partial.empty());
  std::string read = " late";
  EXPECT_EQ(text(partial.join(read)), "early late");
}

TEST(PartialFrame, KeepsTheRestOfARead) {
  PartialFrame partial("");
  std::string read = "whole|cut";
  auto const input = partial.join(read);
  partial.keep(input.subspan(6));
  std::string next = "-off";
  EXPECT_EQ(text(partial.join(next)), "cut-off");
}

TEST(PartialFrame, KeepsOnlyWhatWasLeftOfWhatItHeld) {
  PartialFrame partial("ab");
  std::string read = "cdef";
  auto const input = partial.join(read);
  partial.keep(input.subspan(4));  // "ab" and "cd" made a frame
  std::string next = "g";
  EXPECT_EQ(text(partial.join(next)), "efg");
}

TEST(PartialFrame, ARestOfNothingLeavesItEmpty) {
  PartialFrame partial("ab");
  std::string read = "cd";
  auto const input = partial.join(read);
  partial.keep(input.subspan(input.size()));
  EXPECT_TRUE(partial.empty());
  EXPECT_EQ(partial.capacity(), std::string().capacity());
}

TEST(PartialFrame, DropForgetsEverything) {
  PartialFrame partial("abc");
  partial.drop();
  EXPECT_TRUE(partial.empty());
  std::string read = "x";
  EXPECT_EQ(partial.join(read).data(), read.data());
}

TEST(PartialFrame, GivesBackTheStorageOfALargeFrameOnceItIsThrough) {
  PartialFrame partial(std::string(retained_buffer_bytes * 2, 'a'));
  std::string read = "b";
  auto const input = partial.join(read);
  partial.keep(input.last(10));  // the large frame went through; the start of a small one is left
  EXPECT_LT(partial.capacity(), retained_buffer_bytes);
  std::string next;
  EXPECT_EQ(text(partial.join(next)), std::string(9, 'a') + "b");
}

TEST(PartialFrame, KeepsTheStorageWhileALargeFrameIsStillComing) {
  PartialFrame partial(std::string(retained_buffer_bytes * 2, 'a'));
  std::string read = "b";
  auto const input = partial.join(read);
  partial.keep(input.subspan(1));  // one byte through: the rest of the large frame still needs the room
  EXPECT_GT(partial.capacity(), retained_buffer_bytes);
}

}  // namespace
}  // namespace wshub
