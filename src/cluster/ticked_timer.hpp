// A steady timer that ignores a completion already queued when it was re-armed or cancelled (Beast's tick).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>

#include "protocol/net.hpp"

namespace wshub {

// Cancelling a timer does not recall a completion that has fired already and waits in the queue: it still runs,
// with no error. Every arming and every cancel therefore moves the tick on, and a completion runs its handler only
// if it carries the current tick. The owner outlives the timer's completions (docs/architecture.md, "Lifetimes").
class TickedTimer {
 public:
  using Clock = std::chrono::steady_clock;

  explicit TickedTimer(asio::any_io_executor executor) : timer_(std::move(executor)) {}

  void arm_after(Clock::duration after, std::function<void()> on_expiry) {
    arm_at(Clock::now() + after, std::move(on_expiry));
  }
  void arm_at(Clock::time_point at, std::function<void()> on_expiry) {
    timer_.expires_at(at);
    timer_.async_wait([this, tick = ++tick_, on_expiry = std::move(on_expiry)](error_code) {
      if (tick == tick_) on_expiry();
    });
  }
  void cancel() {
    ++tick_;
    timer_.cancel();
  }

 private:
  asio::steady_timer timer_;
  std::uint64_t tick_ = 0;
};

}  // namespace wshub
