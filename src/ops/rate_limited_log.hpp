// Log lines a peer can cause, written at most a budget of lines per window, with a count of those left out.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <span>
#include <string>

#include <spdlog/spdlog.h>

#include "ops/logging.hpp"

namespace wshub {

// A fixed window with a budget of lines. Not thread-safe; RateLimitedLog guards it.
class LineBudget {
 public:
  LineBudget(std::size_t lines_per_window, std::chrono::steady_clock::duration window)
      : lines_per_window_(lines_per_window), window_(window) {}

  // Empty when the line must be left out; otherwise how many lines were left out since the last one written.
  std::optional<std::size_t> admit(std::chrono::steady_clock::time_point now);

 private:
  std::size_t lines_per_window_;
  std::chrono::steady_clock::duration window_;
  std::chrono::steady_clock::time_point window_start_{};
  std::size_t written_ = 0;
  std::size_t left_out_ = 0;
};

// Writes a line at its level if the budget allows, else counts it; the next line written says how many were left
// out (in words, and as the field left_out). Thread-safe.
class RateLimitedLog {
 public:
  RateLimitedLog(spdlog::level::level_enum level, std::size_t lines_per_window,
                 std::chrono::steady_clock::duration window)
      : level_(level), budget_(lines_per_window, window) {}

  void write(std::string const& message, std::span<LogField const> fields);

 private:
  spdlog::level::level_enum level_;
  std::mutex mutex_;
  LineBudget budget_;
};

}  // namespace wshub
