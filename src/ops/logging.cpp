// Maps LOG_LEVEL and LOG_FORMAT names onto spdlog and sets up the stderr logger.
#include "ops/logging.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <utility>

#include <spdlog/sinks/stdout_sinks.h>

namespace wshub {
namespace {

// Set once by init_logging, before any other thread exists, and only read afterwards.
LogFormat log_format = LogFormat::text;

std::string lower_case(std::string_view name) {
  std::string lower(name);
  std::ranges::transform(lower, lower.begin(), [](unsigned char c) { return std::tolower(c); });
  return lower;
}

}  // namespace

std::optional<spdlog::level::level_enum> parse_log_level(std::string_view name) {
  using spdlog::level::level_enum;
  static constexpr std::array<std::pair<std::string_view, level_enum>, 8> levels{{
      {"trace", level_enum::trace},
      {"debug", level_enum::debug},
      {"info", level_enum::info},
      {"warning", level_enum::warn},
      {"warn", level_enum::warn},
      {"error", level_enum::err},
      {"critical", level_enum::critical},
      {"off", level_enum::off},
  }};
  auto const found = std::ranges::find(levels, lower_case(name), &std::pair<std::string_view, level_enum>::first);
  if (found == levels.end()) return std::nullopt;
  return found->second;
}

std::optional<LogFormat> parse_log_format(std::string_view name) {
  auto const lower = lower_case(name);
  if (lower == "text") return LogFormat::text;
  if (lower == "json") return LogFormat::json;
  return std::nullopt;
}

void init_logging(spdlog::level::level_enum level, LogFormat format) {
  log_format = format;
  auto logger = std::make_shared<spdlog::logger>("wshub", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  // A JSON line is complete when write_log hands it over; spdlog only adds the newline.
  logger->set_pattern(format == LogFormat::json ? "%v" : "%Y-%m-%dT%H:%M:%S.%e %^%-5l%$ %v");
  logger->set_level(level);
  // Shutdown progress must reach the operator at once, not when a buffer fills.
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(std::move(logger));
}

void write_log(spdlog::level::level_enum level, std::string_view message, std::span<LogField const> fields) {
  if (log_format == LogFormat::text) return spdlog::log(level, "{}", message);
  spdlog::log(level, "{}", json_log_line(std::chrono::system_clock::now(), level, message, fields));
}

}  // namespace wshub
