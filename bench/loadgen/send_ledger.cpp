// The send scenario's books: which client each targeted send was for, when its POST went out, when it was answered
// and when that client read it; every send the server answered {"sent": 1} must reach its client exactly once.
#include "send_ledger.hpp"

#include <algorithm>
#include <string>

namespace loadgen {

std::size_t SendLedger::start_send(std::int64_t client_id) {
  sends_.push_back({.client_id = client_id});
  return sends_.size() - 1;
}

void SendLedger::answer_send(std::size_t send, TimePoint posted_at) {
  Send& record = sends_[send];
  record.answered = true;
  record.posted_at = posted_at;
  ++answered_;
}

void SendLedger::client_received(std::int64_t client_id, std::size_t send, TimePoint received_at) {
  const std::string what = "client " + std::to_string(client_id) + " received send " + std::to_string(send);
  if (send >= sends_.size()) {
    checks_.fail(what + ", which was never started");
    return;
  }
  Send& record = sends_[send];
  if (record.client_id != client_id) {
    checks_.fail(what + ", which was for client " + std::to_string(record.client_id));
    return;
  }
  if (record.delivered) {
    checks_.fail(what + " twice");
    return;
  }
  record.delivered = true;
  record.delivered_at = received_at;
  ++delivered_;
}

void SendLedger::close_books() {
  for (std::size_t send = 0; send < sends_.size(); ++send) {
    const Send& record = sends_[send];
    if (record.answered && !record.delivered) {
      checks_.fail("send " + std::to_string(send) + " to client " + std::to_string(record.client_id) +
                   " was answered {\"sent\": 1} but never arrived");
    }
  }
}

LatencySamples SendLedger::latencies_from(std::size_t first) const {
  LatencySamples latencies;
  latencies.reserve(sends_.size() - std::min(first, sends_.size()));
  for (std::size_t send = first; send < sends_.size(); ++send) {
    const Send& record = sends_[send];
    if (record.answered && record.delivered) latencies.add(record.delivered_at - record.posted_at);
  }
  return latencies;
}

}  // namespace loadgen
