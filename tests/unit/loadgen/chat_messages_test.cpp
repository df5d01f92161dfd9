// Tests of the compression runs' payloads (bench/loadgen/chat_messages): one size, the same for the same sequence,
// different from one another, JSON that needs no escaping.
#include "chat_messages.hpp"

#include <gtest/gtest.h>

#include <set>
#include <stdexcept>
#include <string>

#include "message_deflater.hpp"

namespace loadgen {
namespace {

constexpr std::size_t kStreamBytes = 64 * 1024;

TEST(ChatMessagesTest, EveryMessageHasTheSizeAskedFor) {
  ChatMessages messages(256, kChatSeed, kStreamBytes);
  for (std::uint64_t sequence : {0ull, 1ull, 999ull, 123456789ull}) {
    EXPECT_EQ(messages.message(sequence).size(), 256u) << sequence;
  }
}

TEST(ChatMessagesTest, TheSameSequenceGivesTheSameMessage) {
  ChatMessages one(256, kChatSeed, kStreamBytes);
  ChatMessages other(256, kChatSeed, kStreamBytes);
  const std::string first(one.message(42));
  one.message(43);
  EXPECT_EQ(one.message(42), first);
  EXPECT_EQ(other.message(42), first);
}

TEST(ChatMessagesTest, MessagesDifferAndNeedNoJsonEscapes) {
  ChatMessages messages(256, kChatSeed, kStreamBytes);
  std::set<std::string> whole;
  std::set<std::string> texts;
  for (std::uint64_t sequence = 0; sequence < 100; ++sequence) {
    const std::string message(messages.message(sequence));
    EXPECT_TRUE(message.starts_with("{\"type\":\"message\",")) << message;
    EXPECT_TRUE(message.ends_with("\"}")) << message;
    const std::string text = message.substr(message.find("\"text\":\"") + 8);
    EXPECT_EQ(text.substr(0, text.size() - 2).find_first_of("\"\\"), std::string::npos) << message;
    whole.insert(message);
    texts.insert(message.substr(message.find("\"text\"")));
  }
  EXPECT_EQ(whole.size(), 100u);
  // Texts start at a word picked at random, so two may (rarely) share theirs.
  EXPECT_GE(texts.size(), 90u);
}

// On their own they compress about as people's messages do: far from the 95% off of a repeated string.
TEST(ChatMessagesTest, CompressLikeTextOnTheirOwn) {
  ChatMessages messages(256, kChatSeed, kStreamBytes);
  MessageDeflater deflater(15, false);
  const double ratio = static_cast<double>(deflater.compress(messages.message(7)).size()) / 256;
  EXPECT_GT(ratio, 0.5);
  EXPECT_LT(ratio, 0.9);
}

TEST(ChatMessagesTest, RefusesASizeTooSmallForTheJson) {
  EXPECT_THROW(ChatMessages(64, kChatSeed, kStreamBytes), std::invalid_argument);
}

}  // namespace
}  // namespace loadgen
