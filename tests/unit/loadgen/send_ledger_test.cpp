// Tests of the send scenario's ledger (bench/loadgen/send_ledger): what it must accept while sends overlap, and the
// missing, doubled, misdirected and unknown deliveries it must catch.
#include "send_ledger.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace loadgen {
namespace {

using std::chrono::microseconds;

class SendLedgerTest : public ::testing::Test {
 protected:
  // Starts a send to `client` and answers it as POSTed at `posted_us`; returns its number.
  std::size_t answered_send(std::int64_t client, std::int64_t posted_us = 0) {
    const std::size_t send = ledger_.start_send(client);
    ledger_.answer_send(send, at(posted_us));
    return send;
  }

  static TimePoint at(std::int64_t us) { return TimePoint(microseconds(us)); }

  CheckLog checks_;
  SendLedger ledger_{checks_};
};

TEST_F(SendLedgerTest, OverlappingSendsReadOutOfOrderPass) {
  const std::size_t first = ledger_.start_send(7);
  const std::size_t second = answered_send(7);
  ledger_.client_received(7, second, at(10));
  EXPECT_FALSE(ledger_.settled());
  ledger_.client_received(7, first, at(20));
  ledger_.answer_send(first, at(0));
  EXPECT_TRUE(ledger_.settled());
  ledger_.close_books();
  EXPECT_TRUE(checks_.passed());
}

TEST_F(SendLedgerTest, ASendReadBeforeItsAnswerIsNotSettledUntilAnswered) {
  const std::size_t send = ledger_.start_send(1);
  ledger_.client_received(1, send, at(5));
  EXPECT_FALSE(ledger_.settled());
  ledger_.answer_send(send, at(0));
  EXPECT_TRUE(ledger_.settled());
}

TEST_F(SendLedgerTest, AnAnsweredSendNeverReadFails) {
  answered_send(1);
  ledger_.close_books();
  EXPECT_EQ(checks_.failures(), 1u);
}

TEST_F(SendLedgerTest, AnUnansweredSendNeedNotArrive) {
  ledger_.start_send(1);
  ledger_.close_books();
  EXPECT_TRUE(checks_.passed());
}

TEST_F(SendLedgerTest, ASendReadTwiceFails) {
  const std::size_t send = answered_send(1);
  ledger_.client_received(1, send, at(1));
  ledger_.client_received(1, send, at(2));
  EXPECT_EQ(checks_.failures(), 1u);
}

TEST_F(SendLedgerTest, ASendReadByAnotherClientFails) {
  const std::size_t send = answered_send(1);
  ledger_.client_received(2, send, at(1));
  ledger_.close_books();
  // The wrong client read it, and the right one never did.
  EXPECT_EQ(checks_.failures(), 2u);
}

TEST_F(SendLedgerTest, ASendNeverStartedFails) {
  ledger_.client_received(1, 0, at(1));
  EXPECT_EQ(checks_.failures(), 1u);
}

TEST_F(SendLedgerTest, LatenciesRunFromThePostToTheReadFromTheFirstMeasuredSend) {
  ledger_.client_received(1, answered_send(1, 0), at(1000));
  ledger_.client_received(1, answered_send(1, 100), at(300));
  ledger_.client_received(2, answered_send(2, 200), at(700));
  LatencySamples latencies = ledger_.latencies_from(1);
  EXPECT_EQ(latencies.count(), 2u);
  EXPECT_EQ(latencies.percentile_us(0.5), 200.0);
  EXPECT_EQ(latencies.max_us(), 500.0);
}

}  // namespace
}  // namespace loadgen
