// A connection's one timer, guarded against a completion that was already queued when it was re-armed.
#pragma once

#include <chrono>
#include <cstdint>
#include <utility>

#include "protocol/net.hpp"

namespace wshub {

// A timer that has fired cannot be cancelled: its completion is queued, and re-arming or cancelling only affects
// waits still pending. Like Beast's basic_stream, every arm and cancel moves a tick on, and a completion whose
// tick is not the current one is dropped, so an expiry always belongs to the last arm.
class SessionTimer {
 public:
  explicit SessionTimer(ConnectionExecutor executor) : timer_(std::move(executor)) {}

  // on_expiry() runs on the timer's executor after delay, unless the timer is re-armed or cancelled first. It must
  // own what owns this timer (a shared_ptr to the session): the wait may complete only while the timer exists.
  template <typename OnExpiry>
  void arm(std::chrono::steady_clock::duration delay, OnExpiry on_expiry) {
    timer_.expires_after(delay);
    timer_.async_wait([this, tick = ++tick_, on_expiry = std::move(on_expiry)](error_code error) mutable {
      if (!error && tick == tick_) on_expiry();
    });
  }

  void cancel() {
    ++tick_;
    timer_.cancel();
  }

 private:
  ConnectionTimer timer_;
  std::uint64_t tick_ = 0;  // which arm the pending completion must carry to count
};

}  // namespace wshub
