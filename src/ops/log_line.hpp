// One log line as JSON: time, level, message and the structured fields the call site attached.
#pragma once

#include <chrono>
#include <concepts>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include <spdlog/common.h>

namespace wshub {

// A named value attached to a log line (`{"client_id", 5}`): a JSON field of its own in the json format. It only
// refers to its value, which must outlive the call that logs it (a temporary in the same statement does).
struct LogField {
  // monostate: no value (an empty optional), written as null.
  using Value = std::variant<std::monostate, std::int64_t, std::uint64_t, double, std::string_view>;

  template <std::signed_integral Integer>
  LogField(std::string_view name, Integer number) : key(name), value(static_cast<std::int64_t>(number)) {}
  template <std::unsigned_integral Integer>
  LogField(std::string_view name, Integer number) : key(name), value(static_cast<std::uint64_t>(number)) {}
  LogField(std::string_view name, double number) : key(name), value(number) {}
  LogField(std::string_view name, std::string_view text) : key(name), value(text) {}
  LogField(std::string_view name, char const* text) : key(name), value(std::string_view(text)) {}
  LogField(std::string_view name, std::string const& text) : key(name), value(std::string_view(text)) {}
  template <typename Inner>
  LogField(std::string_view name, std::optional<Inner> const& maybe)
      : LogField(maybe ? LogField(name, *maybe) : LogField(name)) {}

  std::string_view key;
  Value value;

 private:
  explicit LogField(std::string_view name) : key(name) {}
};

// Appends text as a JSON string: quotes, backslashes and control characters escaped, and any byte that is not
// part of valid UTF-8 replaced by U+FFFD, so that a log shipper can always parse the line.
void append_json_string(std::string& out, std::string_view text);

// {"time":"2026-01-02T03:04:05.678901Z","level":"info","message":"...",<fields>}, without a newline.
// The time is RFC 3339 in UTC with microseconds; the level is spdlog's name (trace ... critical).
std::string json_log_line(std::chrono::system_clock::time_point time, spdlog::level::level_enum level,
                          std::string_view message, std::span<LogField const> fields);

}  // namespace wshub
