// Tests the Date field's format (RFC 9110 section 5.6.7) and the per-thread copy of the current one.
#include "protocol/http_date.hpp"

#include <chrono>
#include <string>

#include <gtest/gtest.h>

namespace wshub {
namespace {

using namespace std::chrono;

sys_seconds at(year_month_day date, hours h, minutes m, seconds s) {
  return sys_days{date} + h + m + s;
}

TEST(HttpDate, TheRfcsOwnExample) {
  EXPECT_EQ(http_date(at(1994y / November / 6, 8h, 49min, 37s)), "Sun, 06 Nov 1994 08:49:37 GMT");
}

TEST(HttpDate, TheEpochAndTheLastSecondOfADay) {
  EXPECT_EQ(http_date(sys_seconds{}), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(http_date(at(2026y / December / 31, 23h, 59min, 59s)), "Thu, 31 Dec 2026 23:59:59 GMT");
}

TEST(HttpDate, EveryWeekdayAndMonthHasItsName) {
  EXPECT_EQ(http_date(at(2024y / February / 29, 12h, 0min, 0s)), "Thu, 29 Feb 2024 12:00:00 GMT");
  EXPECT_EQ(http_date(at(2027y / March / 1, 0h, 0min, 1s)), "Mon, 01 Mar 2027 00:00:01 GMT");
  std::string const weekdays[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  for (int offset = 0; offset < 7; ++offset) {
    EXPECT_EQ(http_date(sys_days{2026y / June / 1} + days{offset}).substr(0, 3), weekdays[offset]);
  }
  std::string const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (unsigned month = 1; month <= 12; ++month) {
    EXPECT_EQ(http_date(sys_days{2026y / month / 15}).substr(8, 3), months[month - 1]);
  }
}

TEST(HttpDate, NowIsTheCurrentSecond) {
  auto const before = floor<seconds>(system_clock::now());
  std::string const now(http_date_now());
  auto const after = floor<seconds>(system_clock::now());
  EXPECT_TRUE(now == http_date(before) || now == http_date(after)) << now;
}

}  // namespace
}  // namespace wshub
