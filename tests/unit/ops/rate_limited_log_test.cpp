// Tests the line budget that keeps the lines a peer can cause from flooding the log.
#include "ops/rate_limited_log.hpp"

#include <gtest/gtest.h>

namespace wshub {
namespace {

using namespace std::chrono_literals;

TEST(LineBudget, WritesUpToTheBudgetEachSecondAndThenSaysHowManyWereLeftOut) {
  LineBudget budget(3, 1s);
  auto const start = std::chrono::steady_clock::time_point{} + 100s;
  for (int i = 0; i < 3; ++i) EXPECT_EQ(budget.admit(start + i * 10ms), 0U);
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(budget.admit(start + 500ms).has_value());
  EXPECT_FALSE(budget.admit(start + 999ms).has_value());
  EXPECT_EQ(budget.admit(start + 1s), 6U);
  EXPECT_EQ(budget.admit(start + 1s + 1ms), 0U);
}

TEST(LineBudget, AWindowOfTenSecondsWritesOneLineAndCountsTheRest) {
  LineBudget budget(1, 10s);
  auto const start = std::chrono::steady_clock::time_point{} + 100s;
  EXPECT_EQ(budget.admit(start), 0U);
  // A retry every 100 ms, as the accept loop's, is one line in ten seconds.
  for (int i = 1; i < 100; ++i) EXPECT_FALSE(budget.admit(start + i * 100ms).has_value());
  EXPECT_EQ(budget.admit(start + 10s), 99U);
}

}  // namespace
}  // namespace wshub
