// The soak scenario's books: which broadcast each coming and going client received, checked against the rule of
// which deliveries are certain, which possible and which impossible.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "check_log.hpp"

namespace loadgen {

// The rule. Broadcasts go out one at a time, numbered 0, 1, 2... in the order their POSTs start, and each is
// answered before the next starts. The server lists a client in the hub before it writes the 101 and removes it
// when it reads the client's close frame; it snapshots the hub for a broadcast after the POST arrives and before it
// answers, and `sent` counts that snapshot. So, for one client:
//  - certain: a broadcast whose POST started after the client's 101 arrived and whose answer arrived before the
//    client queued its close frame. The client was in the hub all that time, so the snapshot held it.
//  - impossible: a broadcast answered before the client began to connect (it was not in the hub yet).
//  - possible: any other, the ones that overlap its arrival or its leaving.
// Checks: each client receives broadcasts in strictly increasing order (in order, none twice), every certain one and
// no impossible one. Each broadcast reaches at most `sent` clients and at least the clients for which it was
// certain. Because broadcasts are sequential, a client's certain ones are one range of numbers: from the first
// started after its 101 to the last answered before it began to leave.
class DeliveryLedger {
 public:
  // `slots` clients may be connected at once; slot i is one of them at a time.
  DeliveryLedger(std::size_t slots, CheckLog& checks);

  // A POST starts; returns the number its message carries.
  std::size_t start_broadcast();
  // The POST that started last was answered with {"sent": N}.
  void answer_broadcast(std::size_t sent);

  void client_connecting(std::size_t slot, std::int64_t client_id);
  void client_opened(std::size_t slot);
  void client_received(std::size_t slot, std::size_t broadcast);
  // The client queues its close frame.
  void client_leaving(std::size_t slot);
  // `cleanly`: the close handshake the client started ended well; otherwise its certain broadcasts are unknown.
  void client_closed(std::size_t slot, bool cleanly);
  // Settles every broadcast; call once no client is connected and no POST is waiting for its answer.
  void close_books();

  std::size_t broadcasts_started() const { return started_; }
  std::size_t broadcasts_answered() const { return answered_; }
  std::size_t clients_sent_to() const { return sent_total_; }
  // Broadcast messages the clients received, every one checked for order.
  std::size_t deliveries() const { return deliveries_; }
  // Deliveries the rule made certain; each one that was missing is a failed check.
  std::size_t certain_deliveries() const { return certain_deliveries_; }

 private:
  struct Client {
    std::int64_t id = 0;
    bool live = false;
    // Broadcasts from this number on may reach it (answered_ when it began to connect).
    std::size_t possible_from = 0;
    // Its certain broadcasts are [certain_from, certain_until); empty until it has opened and begun to leave.
    std::size_t certain_from = 0;
    std::size_t certain_until = 0;
    std::vector<std::size_t> received;
  };
  struct Tally {
    std::optional<std::size_t> sent;
    std::size_t received = 0;
    std::size_t certain = 0;
  };

  void check_certain_received(const Client& client);
  void settle();
  // Checks and drops the tallies of the broadcasts before `end`.
  void settle_below(std::size_t end);
  void check_tally(std::size_t broadcast, const Tally& tally);
  Tally& tally(std::size_t broadcast) { return tallies_[broadcast - first_unsettled_]; }
  std::string client_name(const Client& client) const;

  CheckLog& checks_;
  std::vector<Client> clients_;
  std::size_t started_ = 0;
  std::size_t answered_ = 0;
  // Tallies of the broadcasts from first_unsettled_ on; a broadcast is settled (checked and dropped) once no client
  // that may still receive it is connected.
  std::deque<Tally> tallies_;
  std::size_t first_unsettled_ = 0;
  std::size_t sent_total_ = 0;
  std::size_t deliveries_ = 0;
  std::size_t certain_deliveries_ = 0;
};

}  // namespace loadgen
