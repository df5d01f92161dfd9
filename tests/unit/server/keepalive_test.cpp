// Tests the keepalive's decisions: wait, ping, drop an idle client, and tell a slow consumer from a dead one.
#include "server/keepalive.hpp"

#include <gtest/gtest.h>

namespace wshub {
namespace {

using namespace std::chrono_literals;
using Action = KeepaliveStep::Action;

WebSocketOptions const options{.ping_interval = 25s, .idle_timeout = 60s, .deflate = {}};

TEST(Keepalive, WaitsForTheRestOfThePingIntervalAfterHearingFromTheClient) {
  auto const step = keepalive_step(options, 10s, false);
  EXPECT_EQ(step.action, Action::wait);
  EXPECT_EQ(step.next_check, 15s);
}

TEST(Keepalive, PingsASilentClientAndChecksAgainAtTheIdleTimeout) {
  auto const step = keepalive_step(options, 25s, false);
  EXPECT_EQ(step.action, Action::ping);
  EXPECT_EQ(step.next_check, 35s);
}

TEST(Keepalive, DropsAClientThatDidNotAnswerThePing) {
  EXPECT_EQ(keepalive_step(options, 60s, false).action, Action::idle_timeout);
}

TEST(Keepalive, CallsASilentClientOverTheCapASlowConsumer) {
  // It is silent because it is not read from: that is what it is closed for, at its first tick.
  EXPECT_EQ(keepalive_step(options, 25s, true).action, Action::slow_consumer);
  EXPECT_EQ(keepalive_step(options, 60s, true).action, Action::slow_consumer);
}

TEST(Keepalive, LeavesAClientOverTheCapThatWasHeardRecentlyAlone) {
  EXPECT_EQ(keepalive_step(options, 1s, true).action, Action::wait);
}

}  // namespace
}  // namespace wshub
