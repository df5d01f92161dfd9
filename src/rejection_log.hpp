// Logs refused requests and clients at DEBUG without letting a flood of them flood the log.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>

#include <spdlog/spdlog.h>

#include "logging.hpp"

namespace wshub {

// A fixed window of one second with a budget of lines. Not thread-safe; the log below guards it.
class LineBudget {
 public:
  explicit LineBudget(std::size_t lines_per_second) : lines_per_second_(lines_per_second) {}

  // Empty when the line must be left out; otherwise how many lines were left out since the last one written.
  std::optional<std::size_t> admit(std::chrono::steady_clock::time_point now);

 private:
  std::size_t lines_per_second_;
  std::chrono::steady_clock::time_point window_start_{};
  std::size_t written_ = 0;
  std::size_t left_out_ = 0;
};

// Writes the line at DEBUG if fewer than 10 were written this second; otherwise counts it, and the next line
// written says how many were left out (in words, and as the field left_out). Thread-safe.
void write_rate_limited_debug(std::string const& message, LogFields fields);

template <typename... Args>
void log_rejection(LogFields fields, spdlog::format_string_t<Args...> format, Args&&... args) {
  // Checked first, so that a server not logging at DEBUG does not even format the line.
  if (!spdlog::should_log(spdlog::level::debug)) return;
  write_rate_limited_debug(fmt::format(format, std::forward<Args>(args)...), fields);
}

}  // namespace wshub
