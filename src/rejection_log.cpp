// One line budget shared by every thread, behind a mutex that only DEBUG logging ever takes.
#include "rejection_log.hpp"

#include <mutex>

namespace wshub {

std::optional<std::size_t> LineBudget::admit(std::chrono::steady_clock::time_point now) {
  if (now - window_start_ >= std::chrono::seconds(1)) {
    window_start_ = now;
    written_ = 0;
  }
  if (written_ == lines_per_second_) {
    ++left_out_;
    return std::nullopt;
  }
  ++written_;
  return std::exchange(left_out_, 0);
}

void write_rate_limited_debug(std::string const& line) {
  static std::mutex mutex;
  static LineBudget budget(10);
  std::optional<std::size_t> left_out;
  {
    std::scoped_lock lock(mutex);
    left_out = budget.admit(std::chrono::steady_clock::now());
  }
  if (!left_out) return;
  if (*left_out == 0) return spdlog::debug("{}", line);
  spdlog::debug("{} ({} similar lines left out)", line, *left_out);
}

}  // namespace wshub
