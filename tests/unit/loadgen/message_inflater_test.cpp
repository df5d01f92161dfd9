// Tests of the load generator's inflater (bench/loadgen/message_inflater) on RFC 7692's examples (section 7.2.3):
// context kept or reset between messages, stored blocks, and payloads that are not DEFLATE data.
#include "message_inflater.hpp"

#include <gtest/gtest.h>

#include <string>

namespace loadgen {
namespace {

constexpr std::size_t kLimit = 1 << 20;
// "Hello" compressed on its own (RFC 7692 section 7.2.3.1).
const std::string kHello{"\xf2\x48\xcd\xc9\xc9\x07\x00", 7};
// A second "Hello" that refers back to the first (section 7.2.3.2).
const std::string kHelloAgain{"\xf2\x00\x11\x00\x00", 5};

TEST(MessageInflaterTest, InflatesOneMessage) {
  MessageInflater inflater(true);
  std::string text;
  ASSERT_TRUE(inflater.inflate(kHello, text, kLimit));
  EXPECT_EQ(text, "Hello");
}

TEST(MessageInflaterTest, KeepsTheWindowBetweenMessagesWithContextTakeover) {
  MessageInflater inflater(true);
  std::string text;
  ASSERT_TRUE(inflater.inflate(kHello, text, kLimit));
  ASSERT_TRUE(inflater.inflate(kHelloAgain, text, kLimit));
  EXPECT_EQ(text, "Hello");
}

TEST(MessageInflaterTest, ForgetsTheWindowWithoutContextTakeover) {
  MessageInflater inflater(false);
  std::string text;
  ASSERT_TRUE(inflater.inflate(kHello, text, kLimit));
  EXPECT_FALSE(inflater.inflate(kHelloAgain, text, kLimit) && text == "Hello");
  ASSERT_TRUE(inflater.inflate(kHello, text, kLimit));
  EXPECT_EQ(text, "Hello");
}

TEST(MessageInflaterTest, ReadsStoredAndFinalBlocks) {
  MessageInflater inflater(true);
  std::string text;
  // An uncompressed block (section 7.2.3.3), then a final block (section 7.2.3.4) after which the window is kept.
  ASSERT_TRUE(inflater.inflate(std::string("\x00\x05\x00\xfa\xff\x48\x65\x6c\x6c\x6f\x00", 11), text, kLimit));
  EXPECT_EQ(text, "Hello");
  ASSERT_TRUE(inflater.inflate(std::string("\xf3\x48\xcd\xc9\xc9\x07\x00", 7), text, kLimit));
  EXPECT_EQ(text, "Hello");
  ASSERT_TRUE(inflater.inflate(kHelloAgain, text, kLimit));
  EXPECT_EQ(text, "Hello");
}

TEST(MessageInflaterTest, RejectsWhatIsNotDeflateData) {
  MessageInflater inflater(true);
  std::string text;
  EXPECT_FALSE(inflater.inflate(std::string("\xff\xff\xff\xff", 4), text, kLimit));
}

TEST(MessageInflaterTest, StopsAtTheLimit) {
  MessageInflater inflater(true);
  std::string text;
  EXPECT_FALSE(inflater.inflate(kHello, text, 3));
  EXPECT_LE(text.size(), 3u);
}

}  // namespace
}  // namespace loadgen
