// One line budget shared by every thread, behind a mutex that only DEBUG logging ever takes.
#include "rejection_log.hpp"

#include <mutex>
#include <vector>

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

void write_rate_limited_debug(std::string const& message, std::span<LogField const> fields) {
  static std::mutex mutex;
  static LineBudget budget(10);
  std::optional<std::size_t> left_out;
  {
    std::scoped_lock lock(mutex);
    left_out = budget.admit(std::chrono::steady_clock::now());
  }
  if (!left_out) return;
  if (*left_out == 0) return write_log(spdlog::level::debug, message, fields);
  std::vector<LogField> with_count(fields.begin(), fields.end());
  with_count.emplace_back("left_out", *left_out);
  write_log(spdlog::level::debug, fmt::format("{} ({} similar lines left out)", message, *left_out), with_count);
}

}  // namespace wshub
