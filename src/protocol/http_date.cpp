// Formats HTTP dates, and keeps each thread's copy of the current one.
#include "protocol/http_date.hpp"

#include <array>
#include <cstdio>

namespace wshub {

std::string http_date(std::chrono::sys_seconds time) {
  using namespace std::chrono;
  static constexpr std::array<char const*, 7> weekday_names{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr std::array<char const*, 12> month_names{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  auto const day = floor<days>(time);
  year_month_day const date{day};
  hh_mm_ss const clock{time - day};
  std::array<char, 32> text{};
  int const length = std::snprintf(text.data(), text.size(), "%s, %02u %s %04d %02ld:%02ld:%02lld GMT",
                                   weekday_names[weekday{day}.c_encoding()], static_cast<unsigned>(date.day()),
                                   month_names[static_cast<unsigned>(date.month()) - 1], static_cast<int>(date.year()),
                                   static_cast<long>(clock.hours().count()), static_cast<long>(clock.minutes().count()),
                                   static_cast<long long>(clock.seconds().count()));
  return {text.data(), static_cast<std::size_t>(length)};
}

std::string_view http_date_now() {
  thread_local std::chrono::sys_seconds formatted_second{};
  thread_local std::string formatted;
  auto const now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  if (now != formatted_second || formatted.empty()) {
    formatted = http_date(now);
    formatted_second = now;
  }
  return formatted;
}

}  // namespace wshub
