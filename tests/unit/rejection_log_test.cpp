// Tests the line budget that keeps refusals from flooding the log.
#include "rejection_log.hpp"

#include <gtest/gtest.h>

namespace wshub {
namespace {

using namespace std::chrono_literals;

TEST(LineBudget, WritesUpToTheBudgetEachSecondAndThenSaysHowManyWereLeftOut) {
  LineBudget budget(3);
  auto const start = std::chrono::steady_clock::time_point{} + 100s;
  for (int i = 0; i < 3; ++i) EXPECT_EQ(budget.admit(start + i * 10ms), 0U);
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(budget.admit(start + 500ms).has_value());
  EXPECT_FALSE(budget.admit(start + 999ms).has_value());
  EXPECT_EQ(budget.admit(start + 1s), 6U);
  EXPECT_EQ(budget.admit(start + 1s + 1ms), 0U);
}

}  // namespace
}  // namespace wshub
