// Tests the outbox's bounds (bytes and age) and what a confirmation, a failed publish and a reconnection leave in it.
#include "cluster/broadcast_outbox.hpp"

#include <thread>

#include <gtest/gtest.h>

namespace wshub {
namespace {

using std::chrono::milliseconds;

std::vector<std::uint64_t> sequences(std::deque<BroadcastOutbox::Entry> const& entries) {
  std::vector<std::uint64_t> out;
  for (auto const& entry : entries) out.push_back(entry.sequence);
  return out;
}

TEST(BroadcastOutbox, AnEntryThatWouldPassTheByteBoundDropsTheOldestAndCountsIt) {
  Metrics metrics;
  BroadcastOutbox outbox(milliseconds(60000), 10, metrics);
  outbox.add(1, "123456");
  outbox.add(2, "1234");
  EXPECT_EQ(outbox.bytes(), 10U);
  outbox.add(3, "12");
  EXPECT_EQ(sequences(outbox.to_publish_again()), (std::vector<std::uint64_t>{2, 3}));
  EXPECT_EQ(outbox.bytes(), 6U);
  EXPECT_EQ(metrics.total(Counter::cluster_outbox_dropped), 1U);
}

TEST(BroadcastOutbox, AFloodOfBroadcastsNeverTakesItPastItsBound) {
  Metrics metrics;
  BroadcastOutbox outbox(milliseconds(60000), 1000, metrics);
  for (std::uint64_t i = 1; i <= 100'000; ++i) outbox.add(i, std::string(100, 'x'));
  EXPECT_LE(outbox.bytes(), 1000U);
  EXPECT_EQ(outbox.size(), 10U);
  EXPECT_EQ(sequences(outbox.to_publish_again()).front(), 99'991U);
  EXPECT_EQ(metrics.total(Counter::cluster_outbox_dropped), 99'990U);
}

TEST(BroadcastOutbox, AnEntryOlderThanTheReplayWindowIsGivenUp) {
  Metrics metrics;
  BroadcastOutbox outbox(milliseconds(1), 1000, metrics);
  outbox.add(1, "old");
  std::this_thread::sleep_for(milliseconds(5));  // the entry's age, not a synchronisation
  outbox.add(2, "new");
  EXPECT_EQ(sequences(outbox.to_publish_again()), (std::vector<std::uint64_t>{2}));
  EXPECT_EQ(metrics.total(Counter::cluster_outbox_dropped), 1U);
}

TEST(BroadcastOutbox, AConfirmationRemovesThePublishedEntriesBeforeTheFirstThatFailed) {
  Metrics metrics;
  BroadcastOutbox outbox(milliseconds(60000), 1000, metrics);
  for (std::uint64_t i = 1; i <= 4; ++i) outbox.add(i, "m");
  outbox.mark_published(1);
  outbox.mark_published(3);
  EXPECT_EQ(outbox.last_published(), 3U);
  outbox.confirm_published(3);
  EXPECT_EQ(outbox.size(), 3U) << "2 failed: it and what follows go again together";
  outbox.mark_published(2);
  outbox.confirm_published(2);
  EXPECT_EQ(sequences(outbox.to_publish_again()), (std::vector<std::uint64_t>{3, 4}));
  EXPECT_EQ(metrics.total(Counter::cluster_outbox_dropped), 0U);
}

TEST(BroadcastOutbox, AfterAReconnectionNothingCountsAsPublished) {
  Metrics metrics;
  BroadcastOutbox outbox(milliseconds(60000), 1000, metrics);
  outbox.add(1, "m");
  outbox.mark_published(1);
  EXPECT_EQ(outbox.to_publish_again().size(), 1U);
  EXPECT_EQ(outbox.last_published(), 0U);
  outbox.confirm_published(1);
  EXPECT_EQ(outbox.size(), 1U);
}

}  // namespace
}  // namespace wshub
