// A timer whose completion knows whether it is still wanted, as Beast's basic_stream guards its timeouts.
#pragma once

#include <chrono>
#include <cstdint>
#include <utility>

#include "protocol/net.hpp"

namespace wshub {

// Cancelling or re-arming a timer cannot recall a completion that is already queued: an expiry the reactor has
// seen runs with no error even after cancel(). So each arm and each cancel starts a new tick, and a completion
// runs its step only if its tick is still the current one.
//
// The completion refers to this object: its owner must outlive every completion, which each owner says how.
template <typename Timer>
class TickedTimer {
 public:
  using Clock = typename Timer::clock_type;

  explicit TickedTimer(typename Timer::executor_type const& executor) : timer_(executor) {}

  // Calls on_expiry() at deadline, unless the timer is armed again or cancelled before its completion runs.
  template <typename Step>
  void arm_at(typename Clock::time_point deadline, Step on_expiry) {
    timer_.expires_at(deadline);
    armed_ = true;
    timer_.async_wait([this, tick = ++tick_, on_expiry = std::move(on_expiry)](error_code error) mutable {
      if (tick != tick_) return;  // stale: armed again or cancelled since
      armed_ = false;
      if (!error) on_expiry();
    });
  }

  template <typename Rep, typename Period, typename Step>
  void arm_after(std::chrono::duration<Rep, Period> after, Step on_expiry) {
    arm_at(Clock::now() + std::chrono::duration_cast<typename Clock::duration>(after), std::move(on_expiry));
  }

  void cancel() {
    ++tick_;
    armed_ = false;
    timer_.cancel();
  }

  // Armed, and its step has not run yet.
  bool armed() const { return armed_; }

 private:
  Timer timer_;
  std::uint64_t tick_ = 0;
  bool armed_ = false;
};

}  // namespace wshub
