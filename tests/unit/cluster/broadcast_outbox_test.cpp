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
  auto const bound = BroadcastOutbox::footprint("123456") + BroadcastOutbox::footprint("1234");
  BroadcastOutbox outbox(milliseconds(60000), bound, metrics);
  outbox.add(1, "123456");
  outbox.add(2, "1234");
  EXPECT_EQ(outbox.bytes(), bound);
  outbox.add(3, "12");
  EXPECT_EQ(sequences(outbox.to_publish_again()), (std::vector<std::uint64_t>{2, 3}));
  EXPECT_EQ(outbox.bytes(), BroadcastOutbox::footprint("1234") + BroadcastOutbox::footprint("12"));
  EXPECT_EQ(metrics.total(Counter::cluster_outbox_dropped), 1U);
}

TEST(BroadcastOutbox, AFloodOfBroadcastsNeverTakesItPastItsBound) {
  Metrics metrics;
  std::string const text(100, 'x');
  BroadcastOutbox outbox(milliseconds(60000), 10 * BroadcastOutbox::footprint(text), metrics);
  for (std::uint64_t i = 1; i <= 100'000; ++i) outbox.add(i, text);
  EXPECT_EQ(outbox.size(), 10U);
  EXPECT_EQ(outbox.bytes(), 10 * BroadcastOutbox::footprint(text));
  EXPECT_EQ(sequences(outbox.to_publish_again()).front(), 99'991U);
  EXPECT_EQ(metrics.total(Counter::cluster_outbox_dropped), 99'990U);
}

TEST(BroadcastOutbox, EvenEmptyMessagesCountAgainstTheBound) {
  Metrics metrics;
  BroadcastOutbox outbox(milliseconds(60000), 4 * BroadcastOutbox::footprint(""), metrics);
  for (std::uint64_t i = 1; i <= 1000; ++i) outbox.add(i, "");
  EXPECT_EQ(outbox.size(), 4U);
}

TEST(BroadcastOutbox, APublishedEntryPushedOutIsNotCountedAsLost) {
  Metrics metrics;
  BroadcastOutbox outbox(milliseconds(60000), BroadcastOutbox::footprint("m"), metrics);
  outbox.add(1, "m");
  outbox.mark_published(1);
  outbox.add(2, "m");
  EXPECT_EQ(sequences(outbox.to_publish_again()), (std::vector<std::uint64_t>{2}));
  EXPECT_EQ(metrics.total(Counter::cluster_outbox_dropped), 0U) << "in the stream: only at risk in a failover";
}

TEST(BroadcastOutbox, AnEntryRedisRefusedIsGivenUpAndCounted) {
  Metrics metrics;
  BroadcastOutbox outbox(milliseconds(60000), 10'000, metrics);
  for (std::uint64_t i = 1; i <= 3; ++i) outbox.add(i, "m");
  outbox.give_up(2, "OOM command not allowed");
  EXPECT_EQ(sequences(outbox.to_publish_again()), (std::vector<std::uint64_t>{1, 3}));
  EXPECT_EQ(outbox.bytes(), 2 * BroadcastOutbox::footprint("m"));
  EXPECT_EQ(metrics.total(Counter::cluster_outbox_dropped), 1U);
}

TEST(BroadcastOutbox, AnEntryOlderThanTheReplayWindowIsGivenUp) {
  Metrics metrics;
  BroadcastOutbox outbox(milliseconds(1), 10'000, metrics);
  outbox.add(1, "old");
  std::this_thread::sleep_for(milliseconds(5));  // the entry's age, not a synchronisation
  outbox.add(2, "new");
  EXPECT_EQ(sequences(outbox.to_publish_again()), (std::vector<std::uint64_t>{2}));
  EXPECT_EQ(metrics.total(Counter::cluster_outbox_dropped), 1U);
}

TEST(BroadcastOutbox, AConfirmationRemovesThePublishedEntriesBeforeTheFirstThatFailed) {
  Metrics metrics;
  BroadcastOutbox outbox(milliseconds(60000), 10'000, metrics);
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
  BroadcastOutbox outbox(milliseconds(60000), 10'000, metrics);
  outbox.add(1, "m");
  outbox.mark_published(1);
  EXPECT_EQ(outbox.to_publish_again().size(), 1U);
  EXPECT_EQ(outbox.last_published(), 0U);
  outbox.confirm_published(1);
  EXPECT_EQ(outbox.size(), 1U);
}

}  // namespace
}  // namespace wshub
