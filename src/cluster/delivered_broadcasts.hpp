// The newest broadcast of each origin this node has delivered, so that one published again is delivered once.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace wshub {

// An origin numbers its broadcasts upwards and publishes them in that order, again after a reconnection too, so a
// broadcast is new exactly when its number is above the newest one delivered from its origin. An origin not heard
// from for forget_after is forgotten (a node gone for good). Runs on the backplane's executor.
class DeliveredBroadcasts {
 public:
  explicit DeliveredBroadcasts(std::chrono::milliseconds forget_after) : forget_after_(forget_after) {}

  // Whether this broadcast is new; if so it counts as delivered from now on.
  bool first_delivery(std::string_view origin, std::uint64_t sequence);

  std::size_t origins() const { return newest_.size(); }

 private:
  using Clock = std::chrono::steady_clock;
  struct Newest {
    std::uint64_t sequence;
    Clock::time_point seen;
  };

  void forget_silent_origins(Clock::time_point now);

  std::chrono::milliseconds const forget_after_;
  std::map<std::string, Newest, std::less<>> newest_;
};

}  // namespace wshub
