// Tests that a TickedTimer runs only the expiry of its last arm, even one whose completion was already queued.
#include "async/ticked_timer.hpp"

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

namespace wshub {
namespace {

using namespace std::chrono_literals;

class TickedTimerTest : public ::testing::Test {
 protected:
  // A timer that expired before ours: in the reactor's turn that finds both expired, its handler runs first, after
  // our timer's completion was queued. What it does to our timer is what a session does in the same turn.
  template <typename Step>
  void before_our_expiry_runs(Step step) {
    earlier_.expires_at(std::chrono::steady_clock::now() - 2s);
    timer_.arm_after(-1s, [this] { ++stale_expiries_; });
    earlier_.async_wait([step](error_code) { step(); });
    context_.poll();
  }

  asio::io_context context_;
  asio::steady_timer earlier_{context_};
  TickedTimer<asio::steady_timer> timer_{context_.get_executor()};
  int stale_expiries_ = 0;
};

TEST_F(TickedTimerTest, RunsTheExpiryOfItsArm) {
  int expiries = 0;
  timer_.arm_after(0s, [&expiries] { ++expiries; });
  context_.run();
  EXPECT_EQ(expiries, 1);
}

TEST_F(TickedTimerTest, DropsAnExpiryQueuedBeforeItWasRearmed) {
  int current_expiries = 0;
  before_our_expiry_runs([&] { timer_.arm_after(1h, [&current_expiries] { ++current_expiries; }); });
  EXPECT_EQ(stale_expiries_, 0);
  EXPECT_EQ(current_expiries, 0);
}

TEST_F(TickedTimerTest, DropsAnExpiryQueuedBeforeItWasCancelled) {
  before_our_expiry_runs([&] { timer_.cancel(); });
  EXPECT_EQ(stale_expiries_, 0);
}

TEST_F(TickedTimerTest, RunsTheNewArmAfterDroppingTheStaleOne) {
  int current_expiries = 0;
  before_our_expiry_runs([&] { timer_.arm_after(0s, [&current_expiries] { ++current_expiries; }); });
  context_.restart();
  context_.run();
  EXPECT_EQ(stale_expiries_, 0);
  EXPECT_EQ(current_expiries, 1);
}

}  // namespace
}  // namespace wshub
