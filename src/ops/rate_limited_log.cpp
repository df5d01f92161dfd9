// The line budget and the log that spends it, behind a mutex taken only when such a line is written.
#include "ops/rate_limited_log.hpp"

#include <utility>
#include <vector>

namespace wshub {

std::optional<std::size_t> LineBudget::admit(std::chrono::steady_clock::time_point now) {
  if (now - window_start_ >= window_) {
    window_start_ = now;
    written_ = 0;
  }
  if (written_ == lines_per_window_) {
    ++left_out_;
    return std::nullopt;
  }
  ++written_;
  return std::exchange(left_out_, 0);
}

void RateLimitedLog::write(std::string const& message, std::span<LogField const> fields) {
  if (!spdlog::should_log(level_)) return;
  std::optional<std::size_t> left_out;
  {
    std::scoped_lock lock(mutex_);
    left_out = budget_.admit(std::chrono::steady_clock::now());
  }
  if (!left_out) return;
  if (*left_out == 0) return write_log(level_, message, fields);
  std::vector<LogField> with_count(fields.begin(), fields.end());
  with_count.emplace_back("left_out", *left_out);
  write_log(level_, fmt::format("{} ({} similar lines left out)", message, *left_out), with_count);
}

}  // namespace wshub
