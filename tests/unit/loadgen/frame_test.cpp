// Tests of the load generator's framing (bench/loadgen/frame): RSV1 out on compressed messages and read back in,
// RSV2 and RSV3 refused.
#include "frame.hpp"

#include <gtest/gtest.h>

#include <string>

namespace loadgen {
namespace {

constexpr MaskKey kMask = {1, 2, 3, 4};

TEST(FrameTest, CompressedClientFramesCarryRsv1) {
  std::string out;
  append_client_frame(out, Opcode::text, "abc", kMask, true);
  EXPECT_EQ(static_cast<std::uint8_t>(out[0]), 0xC1);
  out.clear();
  append_client_frame(out, Opcode::text, "abc", kMask);
  EXPECT_EQ(static_cast<std::uint8_t>(out[0]), 0x81);
}

TEST(FrameTest, ReadsRsv1OnAServerFrame) {
  // The frame's payload points into these bytes, so they must outlive it.
  const std::string bytes("\xc1\x02hi", 4);
  const ParsedFrame parsed = parse_server_frame(bytes);
  ASSERT_EQ(parsed.status, FrameStatus::complete);
  EXPECT_TRUE(parsed.frame.compressed);
  EXPECT_EQ(parsed.frame.payload, "hi");
  EXPECT_FALSE(parse_server_frame(std::string("\x81\x02hi", 4)).frame.compressed);
}

TEST(FrameTest, RefusesRsv2AndRsv3) {
  EXPECT_EQ(parse_server_frame(std::string("\xa1\x02hi", 4)).status, FrameStatus::invalid);
  EXPECT_EQ(parse_server_frame(std::string("\x91\x02hi", 4)).status, FrameStatus::invalid);
}

}  // namespace
}  // namespace loadgen
