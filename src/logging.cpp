// Maps LOG_LEVEL names onto spdlog and sets up the stderr logger.
#include "logging.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <utility>

#include <spdlog/sinks/stdout_sinks.h>

namespace wshub {

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
  std::string lower(name);
  std::ranges::transform(lower, lower.begin(), [](unsigned char c) { return std::tolower(c); });
  auto const found = std::ranges::find(levels, lower, &std::pair<std::string_view, level_enum>::first);
  if (found == levels.end()) return std::nullopt;
  return found->second;
}

void init_logging(spdlog::level::level_enum level) {
  auto logger = std::make_shared<spdlog::logger>("wshub", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%-5l%$ %v");
  logger->set_level(level);
  // Shutdown progress must reach the operator at once, not when a buffer fills.
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace wshub
