// The soak scenario's books: which broadcast each coming and going client received, checked against the rule of
// which deliveries are certain, which possible and which impossible.
#include "delivery_ledger.hpp"

#include <algorithm>
#include <string>

namespace loadgen {

DeliveryLedger::DeliveryLedger(std::size_t slots, CheckLog& checks) : checks_(checks), clients_(slots) {}

std::size_t DeliveryLedger::start_broadcast() {
  tallies_.emplace_back();
  return started_++;
}

void DeliveryLedger::answer_broadcast(std::size_t sent) {
  tally(answered_).sent = sent;
  sent_total_ += sent;
  ++answered_;
}

void DeliveryLedger::client_connecting(std::size_t slot, std::int64_t client_id) {
  Client& client = clients_[slot];
  client.id = client_id;
  client.live = true;
  client.possible_from = answered_;
  client.certain_from = 0;
  client.certain_until = 0;
  client.received.clear();
}

void DeliveryLedger::client_opened(std::size_t slot) {
  Client& client = clients_[slot];
  client.certain_from = started_;
  client.certain_until = started_;
}

void DeliveryLedger::client_received(std::size_t slot, std::size_t broadcast) {
  Client& client = clients_[slot];
  ++deliveries_;
  const std::string what = client_name(client) + " received broadcast " + std::to_string(broadcast);
  if (broadcast >= started_) {
    checks_.fail(what + ", which was never sent");
    return;
  }
  if (broadcast < client.possible_from) {
    checks_.fail(what + ", which was answered before the client began to connect");
    return;
  }
  if (!client.received.empty() && broadcast <= client.received.back()) {
    checks_.fail(what + " after broadcast " + std::to_string(client.received.back()) + ": out of order or twice");
  }
  client.received.push_back(broadcast);
  ++tally(broadcast).received;
}

void DeliveryLedger::client_leaving(std::size_t slot) {
  Client& client = clients_[slot];
  // A broadcast still in flight when the client opened may be answered only now; it is not certain.
  client.certain_until = std::max(client.certain_from, answered_);
}

void DeliveryLedger::client_closed(std::size_t slot, bool cleanly) {
  Client& client = clients_[slot];
  client.live = false;
  if (cleanly) check_certain_received(client);
  settle();
}

void DeliveryLedger::close_books() {
  settle_below(started_);
}

void DeliveryLedger::check_certain_received(const Client& client) {
  const std::size_t certain = client.certain_until - client.certain_from;
  for (std::size_t broadcast = client.certain_from; broadcast < client.certain_until; ++broadcast) {
    ++tally(broadcast).certain;
  }
  certain_deliveries_ += certain;
  const auto in_range = [&client](std::size_t broadcast) {
    return broadcast >= client.certain_from && broadcast < client.certain_until;
  };
  const auto received = static_cast<std::size_t>(std::ranges::count_if(client.received, in_range));
  if (received < certain) {
    checks_.fail(client_name(client) + " missed " + std::to_string(certain - received) + " of broadcasts " +
                 std::to_string(client.certain_from) + " to " + std::to_string(client.certain_until - 1) +
                 ", all sent while it was connected throughout");
  }
}

// Settles the broadcasts that no connected client may still receive: those answered before the oldest of them
// began to connect.
void DeliveryLedger::settle() {
  std::size_t floor = answered_;
  for (const Client& client : clients_) {
    if (client.live) floor = std::min(floor, client.possible_from);
  }
  settle_below(floor);
}

void DeliveryLedger::settle_below(std::size_t end) {
  for (; first_unsettled_ < end; ++first_unsettled_) {
    check_tally(first_unsettled_, tallies_.front());
    tallies_.pop_front();
  }
}

void DeliveryLedger::check_tally(std::size_t broadcast, const Tally& tally) {
  const std::string name = "broadcast " + std::to_string(broadcast) + " reached " + std::to_string(tally.received);
  if (tally.sent && tally.received > *tally.sent) {
    checks_.fail(name + " clients, more than its sent=" + std::to_string(*tally.sent));
  }
  if (tally.received < tally.certain) {
    checks_.fail(name + " clients, fewer than the " + std::to_string(tally.certain) + " connected throughout");
  }
}

std::string DeliveryLedger::client_name(const Client& client) const {
  return "client " + std::to_string(client.id);
}

}  // namespace loadgen
