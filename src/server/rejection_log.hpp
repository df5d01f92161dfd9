// Logs refused requests and clients at DEBUG without letting a flood of them flood the log.
#pragma once

#include <span>
#include <string>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

#include "ops/logging.hpp"
#include "server/connection_types.hpp"
#include "server/remote_address.hpp"

namespace wshub {

// Writes the line at DEBUG if fewer than 10 were written this second; otherwise counts it, and the next line
// written says how many were left out (in words, and as the field left_out). Thread-safe.
void write_rate_limited_debug(std::string const& message, std::span<LogField const> fields);

// Logs the refusal of a peer through the budget above, with the peer's address leading the fields. Checked first,
// so that a server not logging at DEBUG neither formats the line nor asks the socket for its peer.
template <typename... Args>
void log_rejection(ConnectionSocket const& peer, LogFields fields, spdlog::format_string_t<Args...> format,
                   Args&&... args) {
  if (!spdlog::should_log(spdlog::level::debug)) return;
  auto const remote = remote_address(peer);
  std::vector<LogField> with_remote{{"remote", remote}};
  with_remote.insert(with_remote.end(), fields);
  write_rate_limited_debug(fmt::format(format, std::forward<Args>(args)...), with_remote);
}

}  // namespace wshub
