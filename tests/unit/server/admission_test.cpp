// Tests what each of the hub's answers to a join is counted as, and the close a refused client gets.
#include "server/admission.hpp"

#include <gtest/gtest.h>

namespace wshub {
namespace {

TEST(Admission, AJoinedClientIsCountedAsAcceptedAndNotRefused) {
  auto const verdict = admission_verdict(7, JoinOutcome::joined);
  EXPECT_EQ(verdict.counter, Counter::connections_accepted);
  EXPECT_FALSE(verdict.refusal);
}

TEST(Admission, ADuplicateIdIsAPolicyViolationThatNamesTheId) {
  auto const verdict = admission_verdict(7, JoinOutcome::duplicate_id);
  EXPECT_EQ(verdict.counter, Counter::connections_duplicate_id);
  ASSERT_TRUE(verdict.refusal);
  EXPECT_EQ(verdict.refusal->code, CloseCode::policy_violation);
  EXPECT_EQ(verdict.refusal->reason, "client id 7 is already connected");
}

TEST(Admission, AShutdownSendsTheClientAway) {
  auto const verdict = admission_verdict(7, JoinOutcome::shutting_down);
  EXPECT_EQ(verdict.counter, Counter::connections_shutting_down);
  ASSERT_TRUE(verdict.refusal);
  EXPECT_EQ(verdict.refusal->code, CloseCode::going_away);
  EXPECT_EQ(verdict.refusal->reason, shutting_down_reason);
}

TEST(Admission, AFullServerAsksTheClientToTryAgainLater) {
  auto const verdict = admission_verdict(7, JoinOutcome::over_limit);
  EXPECT_EQ(verdict.counter, Counter::connections_over_limit);
  ASSERT_TRUE(verdict.refusal);
  EXPECT_EQ(verdict.refusal->code, CloseCode::try_again_later);
  EXPECT_EQ(verdict.refusal->reason, over_limit_reason);
}

}  // namespace
}  // namespace wshub
