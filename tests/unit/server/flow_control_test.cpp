// Tests backpressure's decisions: the cap, where a broadcast goes, pausing reading and resuming it only once the
// backlog has drained to half the cap, and a closing connection that is held to no cap.
#include "server/flow_control.hpp"

#include <gtest/gtest.h>

namespace wshub {
namespace {

using Broadcast = FlowControl::Broadcast;

constexpr std::size_t cap = 1000;
constexpr bool open = true;
constexpr bool closing = false;

TEST(FlowControl, TheCapIsExceededOnlyPastIt) {
  FlowControl const flow(cap);
  EXPECT_FALSE(flow.is_over_cap(cap, open)) << "one message larger than the cap may go out when little else waits";
  EXPECT_TRUE(flow.is_over_cap(cap + 1, open));
}

TEST(FlowControl, AClosingConnectionIsHeldToNoCap) {
  FlowControl flow(cap);
  EXPECT_FALSE(flow.is_over_cap(cap * 10, closing));
  EXPECT_NE(flow.route_broadcast(cap * 10, false, closing), Broadcast::slow_consumer);
  EXPECT_FALSE(flow.pause_reading_if_over_cap(cap * 10, closing)) << "it still reads for the client's close frame";
  EXPECT_FALSE(flow.is_reading_paused());
}

TEST(FlowControl, ABroadcastGoesStraightToTheSocketWhenNothingWaits) {
  FlowControl const flow(cap);
  EXPECT_EQ(flow.route_broadcast(0, true, open), Broadcast::straight_to_socket);
}

TEST(FlowControl, ABroadcastLinesUpBehindWhatIsQueued) {
  FlowControl const flow(cap);
  EXPECT_EQ(flow.route_broadcast(cap, false, open), Broadcast::behind_queue);
}

TEST(FlowControl, ABroadcastWaitsWhileTheSocketIsFullEvenIfTheQueueIsEmpty) {
  FlowControl flow(cap);
  flow.wait_writable();
  EXPECT_FALSE(flow.may_write());
  EXPECT_EQ(flow.route_broadcast(0, true, open), Broadcast::behind_queue);
  flow.writable();
  EXPECT_TRUE(flow.may_write());
  EXPECT_EQ(flow.route_broadcast(0, true, open), Broadcast::straight_to_socket);
}

TEST(FlowControl, ABroadcastThatFindsTheBacklogOverTheCapMakesASlowConsumer) {
  FlowControl const flow(cap);
  EXPECT_EQ(flow.route_broadcast(cap + 1, false, open), Broadcast::slow_consumer);
}

TEST(FlowControl, ReadingGoesOnUnderTheCap) {
  FlowControl flow(cap);
  EXPECT_FALSE(flow.pause_reading_if_over_cap(cap, open));
  EXPECT_FALSE(flow.is_reading_paused());
  EXPECT_FALSE(flow.resume_reading_if_drained(0)) << "there is nothing to resume";
}

TEST(FlowControl, ReadingPausesOverTheCapAndResumesOnlyAtHalfOfIt) {
  FlowControl flow(cap);
  ASSERT_TRUE(flow.pause_reading_if_over_cap(cap + 1, open));
  EXPECT_TRUE(flow.is_reading_paused());
  EXPECT_FALSE(flow.resume_reading_if_drained(cap)) << "under the cap is not enough: it would flip every write";
  EXPECT_FALSE(flow.resume_reading_if_drained(cap / 2 + 1));
  EXPECT_TRUE(flow.is_reading_paused());
  EXPECT_TRUE(flow.resume_reading_if_drained(cap / 2));
  EXPECT_FALSE(flow.is_reading_paused());
  EXPECT_FALSE(flow.resume_reading_if_drained(0)) << "resumed once, not for every later write";
}

TEST(FlowControl, AConnectionThatStartsClosingWhilePausedResumesOnceDrained) {
  FlowControl flow(cap);
  ASSERT_TRUE(flow.pause_reading_if_over_cap(cap + 1, open));
  // Our close frame was queued (a slow consumer's unstarted frames dropped first): once the backlog drains, the
  // client's close frame must be read.
  EXPECT_TRUE(flow.resume_reading_if_drained(10));
  EXPECT_FALSE(flow.pause_reading_if_over_cap(cap * 10, closing));
}

}  // namespace
}  // namespace wshub
