// Tests of the load generator's deflater (bench/loadgen/message_deflater): RFC 7692's framing of a compressed
// message, and context takeover kept or dropped as the server asked.
#include "message_deflater.hpp"

#include <gtest/gtest.h>

#include <string>

#include "message_inflater.hpp"

namespace loadgen {
namespace {

constexpr std::size_t kInflateLimit = 1 << 20;
const std::string kMessage = R"({"type":"message","user":"user-7","text":"the build is broken again, can you look?"})";

TEST(MessageDeflaterTest, CompressesHelloAsTheRfcShows) {
  MessageDeflater deflater(15, true);
  EXPECT_EQ(deflater.compress("Hello"), std::string("\xf2\x48\xcd\xc9\xc9\x07\x00", 7));
}

TEST(MessageDeflaterTest, DropsTheSyncFlushTail) {
  MessageDeflater deflater(15, true);
  const std::string compressed(deflater.compress(kMessage));
  EXPECT_FALSE(compressed.ends_with(std::string("\x00\x00\xff\xff", 4)));
}

TEST(MessageDeflaterTest, WithContextTakeoverARepeatCostsLittleAndInflatesInOrder) {
  MessageDeflater deflater(15, true);
  MessageInflater inflater(true);
  const std::string first(deflater.compress(kMessage));
  const std::string second(deflater.compress(kMessage));
  EXPECT_LT(second.size(), first.size() / 4);
  std::string text;
  ASSERT_TRUE(inflater.inflate(first, text, kInflateLimit));
  EXPECT_EQ(text, kMessage);
  ASSERT_TRUE(inflater.inflate(second, text, kInflateLimit));
  EXPECT_EQ(text, kMessage);
}

TEST(MessageDeflaterTest, WithoutContextTakeoverEachMessageStandsAlone) {
  MessageDeflater deflater(15, false);
  const std::string first(deflater.compress(kMessage));
  const std::string second(deflater.compress(kMessage));
  EXPECT_EQ(first, second);
  MessageInflater fresh(false);
  std::string text;
  ASSERT_TRUE(fresh.inflate(second, text, kInflateLimit));
  EXPECT_EQ(text, kMessage);
}

TEST(MessageDeflaterTest, AMessageThatDoesNotCompressStillRoundTrips) {
  std::string noise;
  for (unsigned i = 0; i < 5000; ++i) noise.push_back(static_cast<char>((i * 2654435761u) >> 24));
  MessageDeflater deflater(9, true);
  MessageInflater inflater(true);
  std::string text;
  ASSERT_TRUE(inflater.inflate(deflater.compress(noise), text, kInflateLimit));
  EXPECT_EQ(text, noise);
}

}  // namespace
}  // namespace loadgen
