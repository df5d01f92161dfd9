// Log levels and formats by their setting names, and the one stderr logger every piece writes to.
#pragma once

#include <initializer_list>
#include <optional>
#include <span>
#include <string_view>
#include <utility>

#include <spdlog/spdlog.h>

#include "ops/log_line.hpp"

namespace wshub {

// text: "2026-01-02T03:04:05.678 info  message" for people; json: one JSON object a line for log shippers.
enum class LogFormat { text, json };

// Python's level names (DEBUG, INFO, WARNING, ERROR, CRITICAL) in any case, plus TRACE, WARN and OFF.
std::optional<spdlog::level::level_enum> parse_log_level(std::string_view name);

// "text" or "json", in any case.
std::optional<LogFormat> parse_log_format(std::string_view name);

// Sends all logging to stderr at the given level, in the given format. Called once, before any thread starts.
void init_logging(spdlog::level::level_enum level, LogFormat format = LogFormat::text);

using LogFields = std::initializer_list<LogField>;

// Writes one line: the message as it is in the text format; the message and the fields in the json format.
void write_log(spdlog::level::level_enum level, std::string_view message, std::span<LogField const> fields);

// The message reads well on its own (it names the values in words); the fields carry the same values for machines:
//   log_event(spdlog::level::info, {{"client_id", id}}, "client {} is a slow consumer", id);
template <typename... Args>
void log_event(spdlog::level::level_enum level, LogFields fields, spdlog::format_string_t<Args...> format,
               Args&&... args) {
  // Checked first, so that a line that is not written is not formatted either.
  if (!spdlog::should_log(level)) return;
  write_log(level, fmt::format(format, std::forward<Args>(args)...), {fields.begin(), fields.size()});
}

}  // namespace wshub
