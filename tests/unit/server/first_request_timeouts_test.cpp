// Tests the per-thread queue that times out connections waiting for their first request.
#include "server/first_request_timeouts.hpp"

#include <gtest/gtest.h>

#include <chrono>

#include "server/connection_types.hpp"

namespace wshub {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr auto timeout = 20ms;

class CountingWaiter : public FirstRequestWaiter {
 public:
  void on_first_request_timeout() override {
    ++timeouts;
    told_at = Clock::now();
  }
  int timeouts = 0;
  Clock::time_point told_at;
};

TEST(FirstRequestTimeouts, AWaiterThatStaysIsToldOnceItsTimeoutHasPassed) {
  asio::io_context context;
  CountingWaiter waiter;
  auto const start = Clock::now();
  FirstRequestTimeouts::of(context).wait(waiter, timeout);
  context.run();  // returns once nothing is left to time out
  EXPECT_EQ(waiter.timeouts, 1);
  EXPECT_GE(waiter.told_at - start, timeout);
}

TEST(FirstRequestTimeouts, AWaiterThatLeftIsNotTold) {
  asio::io_context context;
  CountingWaiter left;
  CountingWaiter stayed;
  auto& timeouts = FirstRequestTimeouts::of(context);
  timeouts.wait(left, timeout);
  timeouts.wait(stayed, timeout);
  FirstRequestTimeouts::leave(left);
  context.run();
  EXPECT_EQ(left.timeouts, 0);
  EXPECT_EQ(stayed.timeouts, 1);
}

TEST(FirstRequestTimeouts, AWaiterDestroyedWhileWaitingLeavesTheQueue) {
  asio::io_context context;
  auto& timeouts = FirstRequestTimeouts::of(context);
  {
    CountingWaiter gone;
    timeouts.wait(gone, timeout);
  }
  CountingWaiter stayed;
  timeouts.wait(stayed, timeout);
  context.run();
  EXPECT_EQ(stayed.timeouts, 1);
}

TEST(FirstRequestTimeouts, ALaterWaiterIsToldAfterItsOwnTimeoutNotTheFirstOnes) {
  asio::io_context context;
  auto& timeouts = FirstRequestTimeouts::of(context);
  CountingWaiter first;
  CountingWaiter second;
  timeouts.wait(first, timeout);
  ConnectionTimer later(context.get_executor(), timeout / 2);
  Clock::time_point second_started;
  later.async_wait([&](error_code) {
    second_started = Clock::now();
    timeouts.wait(second, timeout);
  });
  context.run();
  EXPECT_EQ(first.timeouts, 1);
  EXPECT_EQ(second.timeouts, 1);
  EXPECT_GE(second.told_at - second_started, timeout);
}

TEST(FirstRequestTimeouts, EachThreadsContextHasItsOwnQueue) {
  asio::io_context one;
  asio::io_context other;
  EXPECT_EQ(&FirstRequestTimeouts::of(one), &FirstRequestTimeouts::of(one));
  EXPECT_NE(&FirstRequestTimeouts::of(one), &FirstRequestTimeouts::of(other));
}

}  // namespace
}  // namespace wshub
