// Log levels by the seed's names, and the one stderr logger every piece writes to.
#pragma once

#include <optional>
#include <string_view>

#include <spdlog/spdlog.h>

namespace wshub {

// Python's level names (DEBUG, INFO, WARNING, ERROR, CRITICAL) in any case, plus TRACE, WARN and OFF.
std::optional<spdlog::level::level_enum> parse_log_level(std::string_view name);

// Sends all logging to stderr at the given level.
void init_logging(spdlog::level::level_enum level);

}  // namespace wshub
