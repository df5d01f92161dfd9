// A fixed window of one second with a small budget of lines, shared by every thread.
#include "rejection_log.hpp"

#include <chrono>
#include <cstddef>
#include <mutex>

namespace wshub {
namespace {

constexpr std::size_t lines_per_second = 10;

struct RateWindow {
  std::mutex mutex;
  std::chrono::steady_clock::time_point started;
  std::size_t written = 0;
  std::size_t suppressed = 0;
};

RateWindow& window() {
  static RateWindow shared;
  return shared;
}

}  // namespace

void write_rate_limited_debug(std::string const& line) {
  auto& rate = window();
  std::size_t suppressed = 0;
  {
    std::scoped_lock lock(rate.mutex);
    auto const now = std::chrono::steady_clock::now();
    if (now - rate.started >= std::chrono::seconds(1)) {
      rate.started = now;
      rate.written = 0;
    }
    if (rate.written == lines_per_second) {
      ++rate.suppressed;
      return;
    }
    ++rate.written;
    suppressed = std::exchange(rate.suppressed, 0);
  }
  if (suppressed == 0) return spdlog::debug("{}", line);
  spdlog::debug("{} ({} similar lines left out)", line, suppressed);
}

}  // namespace wshub
