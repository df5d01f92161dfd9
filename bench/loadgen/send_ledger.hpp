// The send scenario's books: which client each targeted send was for, when its POST went out, when it was answered
// and when that client read it; every send the server answered {"sent": 1} must reach its client exactly once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "check_log.hpp"
#include "clock.hpp"
#include "latency_samples.hpp"

namespace loadgen {

// Sends are numbered 0, 1, 2... in the order they start, and any number of them may be in flight at once, so a
// client's sends may arrive in any order; what is checked is where and how often each one arrives. A client that
// reads a send meant for another, one never started, or one it has read before fails a check at once; a send
// answered but never read fails one when the books close.
class SendLedger {
 public:
  explicit SendLedger(CheckLog& checks) : checks_(checks) {}

  // A send to `client_id` starts; returns the number its message carries.
  std::size_t start_send(std::int64_t client_id);
  // Its POST went out at `posted_at` and was answered {"sent": 1}.
  void answer_send(std::size_t send, TimePoint posted_at);
  void client_received(std::int64_t client_id, std::size_t send, TimePoint received_at);
  // Checks that every answered send was read; call once no message can still arrive.
  void close_books();

  std::size_t started() const { return sends_.size(); }
  // True when every send started so far has been answered and read.
  bool settled() const { return answered_ == sends_.size() && delivered_ == sends_.size(); }
  // POST to delivery, for the sends from number `first` on that were answered and read.
  LatencySamples latencies_from(std::size_t first) const;

 private:
  struct Send {
    std::int64_t client_id = 0;
    bool answered = false;
    bool delivered = false;
    TimePoint posted_at{};
    TimePoint delivered_at{};
  };

  CheckLog& checks_;
  std::vector<Send> sends_;
  std::size_t answered_ = 0;
  std::size_t delivered_ = 0;
};

}  // namespace loadgen
