// Tests of the soak scenario's ledger (bench/loadgen/delivery_ledger): what it must accept as clients come and go,
// and the dropped, doubled, reordered and impossible deliveries it must catch.
#include "delivery_ledger.hpp"

#include <gtest/gtest.h>

namespace loadgen {
namespace {

class DeliveryLedgerTest : public ::testing::Test {
 protected:
  // Starts a broadcast and answers it with `sent`; returns its number.
  std::size_t broadcast(std::size_t sent) {
    const std::size_t number = ledger_.start_broadcast();
    ledger_.answer_broadcast(sent);
    return number;
  }

  void connect(std::size_t slot) {
    ledger_.client_connecting(slot, static_cast<std::int64_t>(slot));
    ledger_.client_opened(slot);
  }

  void leave(std::size_t slot) {
    ledger_.client_leaving(slot);
    ledger_.client_closed(slot, true);
  }

  CheckLog checks_;
  DeliveryLedger ledger_{2, checks_};
};

TEST_F(DeliveryLedgerTest, EveryCertainBroadcastReceivedPasses) {
  connect(0);
  for (std::size_t i = 0; i < 3; ++i) ledger_.client_received(0, broadcast(1));
  leave(0);
  ledger_.close_books();
  EXPECT_TRUE(checks_.passed());
  EXPECT_EQ(ledger_.certain_deliveries(), 3u);
  EXPECT_EQ(ledger_.deliveries(), 3u);
}

TEST_F(DeliveryLedgerTest, ABroadcastMissedWhileConnectedThroughoutFails) {
  connect(0);
  ledger_.client_received(0, broadcast(1));
  broadcast(1);
  ledger_.client_received(0, broadcast(1));
  leave(0);
  ledger_.close_books();
  // The client misses it, and the broadcast reached fewer clients than were connected throughout.
  EXPECT_EQ(checks_.failures(), 2u);
}

TEST_F(DeliveryLedgerTest, ABroadcastReceivedTwiceFails) {
  connect(0);
  const std::size_t number = broadcast(1);
  ledger_.client_received(0, number);
  ledger_.client_received(0, number);
  leave(0);
  ledger_.close_books();
  // Out of order or twice, and more receivers than sent.
  EXPECT_EQ(checks_.failures(), 2u);
}

TEST_F(DeliveryLedgerTest, BroadcastsOutOfOrderFail) {
  connect(0);
  const std::size_t first = broadcast(1);
  const std::size_t second = broadcast(1);
  ledger_.client_received(0, second);
  ledger_.client_received(0, first);
  leave(0);
  ledger_.close_books();
  EXPECT_EQ(checks_.failures(), 1u);
}

TEST_F(DeliveryLedgerTest, BroadcastsOverlappingArrivalOrLeavingMayBeMissing) {
  ledger_.client_connecting(0, 0);
  ledger_.start_broadcast();  // in flight when the 101 arrives
  ledger_.client_opened(0);
  ledger_.answer_broadcast(1);
  ledger_.client_received(0, broadcast(1));
  ledger_.client_leaving(0);
  broadcast(0);  // answered after the client began to leave
  ledger_.client_closed(0, true);
  ledger_.close_books();
  EXPECT_TRUE(checks_.passed());
  EXPECT_EQ(ledger_.certain_deliveries(), 1u);
}

TEST_F(DeliveryLedgerTest, ABroadcastAnsweredBeforeTheClientConnectedCannotReachIt) {
  const std::size_t before = broadcast(0);
  connect(0);
  ledger_.client_received(0, before);
  leave(0);
  ledger_.close_books();
  EXPECT_EQ(checks_.failures(), 1u);
}

TEST_F(DeliveryLedgerTest, MoreReceiversThanSentFails) {
  connect(0);
  connect(1);
  const std::size_t number = broadcast(1);
  ledger_.client_received(0, number);
  ledger_.client_received(1, number);
  leave(0);
  leave(1);
  ledger_.close_books();
  // Sent counts one client, and two received it.
  EXPECT_EQ(checks_.failures(), 1u);
}

TEST_F(DeliveryLedgerTest, AClientThatDidNotLeaveCleanlyHasNoCertainBroadcasts) {
  connect(0);
  broadcast(1);
  ledger_.client_leaving(0);
  ledger_.client_closed(0, false);
  ledger_.close_books();
  EXPECT_TRUE(checks_.passed());
  EXPECT_EQ(ledger_.certain_deliveries(), 0u);
}

TEST_F(DeliveryLedgerTest, ABroadcastNeverSentFails) {
  connect(0);
  ledger_.client_received(0, 7);
  leave(0);
  ledger_.close_books();
  EXPECT_EQ(checks_.failures(), 1u);
}

}  // namespace
}  // namespace loadgen
