// Tests the close handshake's decisions through every transition: ours, the client's, both crossing, a violation,
// the end and a timer that fires after it.
#include "server/close_handshake.hpp"

#include <gtest/gtest.h>

namespace wshub {
namespace {

using TimerRole = CloseHandshake::TimerRole;

TEST(CloseHandshake, AnOpenConnectionReadsAndItsTimerIsTheKeepalive) {
  CloseHandshake const handshake;
  EXPECT_TRUE(handshake.is_open());
  EXPECT_FALSE(handshake.has_ended());
  EXPECT_TRUE(handshake.reads_input());
  EXPECT_FALSE(handshake.half_closes_when_flushed());
  EXPECT_EQ(handshake.timer_role(), TimerRole::keepalive);
}

TEST(CloseHandshake, OurCloseSendsOneFrameAndStillReadsForTheClientsAnswer) {
  CloseHandshake handshake;
  EXPECT_TRUE(handshake.start(CloseCode::going_away));
  EXPECT_FALSE(handshake.is_open());
  EXPECT_TRUE(handshake.reads_input()) << "the client's close frame is still to come";
  EXPECT_FALSE(handshake.half_closes_when_flushed()) << "no FIN before the client has answered";
  EXPECT_EQ(handshake.timer_role(), TimerRole::close_deadline);
  EXPECT_FALSE(handshake.start(CloseCode::normal)) << "a second close frame";
}

TEST(CloseHandshake, TheClientsCloseWhileOpenIsAnsweredAndEndsTheReading) {
  CloseHandshake handshake;
  auto const step = handshake.peer_closed();
  EXPECT_TRUE(step.answer);
  EXPECT_EQ(step.reason, Counter::disconnects_normal);
  EXPECT_FALSE(handshake.is_open());
  EXPECT_FALSE(handshake.reads_input()) << "RFC 6455 section 5.5.1: nothing after its close frame counts";
  EXPECT_TRUE(handshake.half_closes_when_flushed()) << "the server closes the TCP connection first";
  EXPECT_EQ(handshake.timer_role(), TimerRole::close_deadline);
  EXPECT_FALSE(handshake.start(CloseCode::going_away)) << "a shutdown after the client's close sends nothing more";
}

TEST(CloseHandshake, TheClientsCloseWhileOursIsQueuedIsNotAnsweredAndCountsAsOurs) {
  CloseHandshake handshake;
  ASSERT_TRUE(handshake.start(CloseCode::going_away));
  auto const step = handshake.peer_closed();
  EXPECT_FALSE(step.answer) << "our close frame, still queued, is the answer";
  EXPECT_EQ(step.reason, Counter::disconnects_shutdown);
  EXPECT_FALSE(handshake.reads_input());
  EXPECT_TRUE(handshake.half_closes_when_flushed());
}

TEST(CloseHandshake, AViolationSendsOurCloseFrameReadsNothingMoreAndHalfCloses) {
  CloseHandshake handshake;
  EXPECT_TRUE(handshake.fail(CloseCode::protocol_error));
  EXPECT_FALSE(handshake.reads_input());
  EXPECT_TRUE(handshake.half_closes_when_flushed());
  EXPECT_EQ(handshake.timer_role(), TimerRole::close_deadline);
}

TEST(CloseHandshake, AViolationWhileOurCloseIsOutSendsNoSecondFrameButHalfCloses) {
  CloseHandshake handshake;
  ASSERT_TRUE(handshake.start(CloseCode::normal));
  EXPECT_FALSE(handshake.fail(CloseCode::protocol_error));
  EXPECT_FALSE(handshake.reads_input());
  EXPECT_TRUE(handshake.half_closes_when_flushed());
  auto const ending = handshake.end(Counter::disconnects_error);
  ASSERT_TRUE(ending);
  EXPECT_EQ(ending->our_close_code, CloseCode::normal) << "reported with the code that was sent";
}

TEST(CloseHandshake, AnEndWithoutOurCloseIsReportedForTheGivenReason) {
  CloseHandshake handshake;
  auto const ending = handshake.end(Counter::disconnects_idle_timeout);
  ASSERT_TRUE(ending);
  EXPECT_EQ(ending->reason, Counter::disconnects_idle_timeout);
  EXPECT_FALSE(ending->our_close_code);
  EXPECT_TRUE(handshake.has_ended());
  EXPECT_FALSE(handshake.reads_input());
}

TEST(CloseHandshake, AnEndAfterTheClientsCloseIsReportedForTheGivenReason) {
  CloseHandshake handshake;
  handshake.peer_closed();
  auto const ending = handshake.end(Counter::disconnects_error);
  ASSERT_TRUE(ending);
  EXPECT_EQ(ending->reason, Counter::disconnects_error);
  EXPECT_FALSE(ending->our_close_code);
}

TEST(CloseHandshake, AnEndAfterOurCloseIsReportedWithOurCode) {
  struct Case {
    CloseCode code;
    Counter reason;
  };
  for (auto const [code, reason] : {Case{CloseCode::normal, Counter::disconnects_normal},
                                    Case{CloseCode::going_away, Counter::disconnects_shutdown},
                                    Case{CloseCode::message_too_big, Counter::disconnects_message_too_big},
                                    Case{CloseCode::policy_violation, Counter::disconnects_error},
                                    Case{CloseCode::try_again_later, Counter::disconnects_error}}) {
    CloseHandshake handshake;
    ASSERT_TRUE(handshake.start(code));
    // The deadline expired, or the client's FIN came: either way it is told by what we closed with.
    auto const ending = handshake.end(Counter::disconnects_idle_timeout);
    ASSERT_TRUE(ending);
    EXPECT_EQ(ending->reason, reason) << static_cast<int>(code);
    EXPECT_EQ(ending->our_close_code, code);
  }
}

TEST(CloseHandshake, EndsOnce) {
  CloseHandshake handshake;
  ASSERT_TRUE(handshake.end(Counter::disconnects_error));
  EXPECT_FALSE(handshake.end(Counter::disconnects_error)) << "a second end would count the client twice";
}

TEST(CloseHandshake, ATimerThatFiresAfterTheEndDoesNothing) {
  CloseHandshake handshake;
  ASSERT_TRUE(handshake.start(CloseCode::normal));
  handshake.peer_closed();
  ASSERT_TRUE(handshake.end(Counter::disconnects_error));
  EXPECT_EQ(handshake.timer_role(), TimerRole::stale);
}

TEST(CloseHandshake, NothingStartsAfterTheEnd) {
  CloseHandshake handshake;
  ASSERT_TRUE(handshake.end(Counter::disconnects_error));
  EXPECT_FALSE(handshake.start(CloseCode::going_away));
  EXPECT_FALSE(handshake.fail(CloseCode::protocol_error));
  EXPECT_FALSE(handshake.peer_closed().answer);
  EXPECT_TRUE(handshake.has_ended());
  EXPECT_EQ(handshake.timer_role(), TimerRole::stale);
}

}  // namespace
}  // namespace wshub
