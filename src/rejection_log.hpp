// Logs refused requests and clients at DEBUG without letting a flood of them flood the log.
#pragma once

#include <string>
#include <utility>

#include <spdlog/spdlog.h>

namespace wshub {

// Writes the line if fewer than a handful were written this second; otherwise counts it, and the next line
// written says how many were left out. Thread-safe.
void write_rate_limited_debug(std::string const& line);

template <typename... Args>
void log_rejection(spdlog::format_string_t<Args...> format, Args&&... args) {
  // Checked first, so that a server not logging at DEBUG does not even format the line.
  if (!spdlog::should_log(spdlog::level::debug)) return;
  write_rate_limited_debug(fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace wshub
