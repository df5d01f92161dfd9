// A WebSocket client's log lines, each with its fields for --log-format json.
#include "server/client_log.hpp"

#include <spdlog/spdlog.h>

#include "ops/logging.hpp"
#include "server/remote_address.hpp"

namespace wshub {

// Each DEBUG line is checked first: its arguments (the count takes the hub's lock) would be computed even if
// nothing is logged.

void log_connected(ClientId id, ConnectionSocket const& socket, Hub const& hub) {
  if (!spdlog::should_log(spdlog::level::debug)) return;
  auto const remote = remote_address(socket);
  auto const connected = hub.client_count();
  log_event(spdlog::level::debug, {{"client_id", id}, {"remote", remote}, {"connected", connected}},
            "client {} connected from {} ({} connected)", id, remote, connected);
}

void log_disconnected(ClientId id, ConnectionSocket const& socket, Hub const& hub, std::string_view why,
                      std::optional<int> close_code) {
  if (!spdlog::should_log(spdlog::level::debug)) return;
  auto const connected = hub.client_count();
  log_event(spdlog::level::debug,
            {{"client_id", id},
             {"remote", remote_address(socket)},
             {"close_code", close_code},
             {"reason", why},
             {"connected", connected}},
            "client {} disconnected: {} ({} connected)", id, why, connected);
}

void log_slow_consumer(ClientId id, ConnectionSocket const& socket, std::size_t queued_bytes_limit, int close_code) {
  log_event(spdlog::level::info,
            {{"client_id", id},
             {"remote", remote_address(socket)},
             {"queued_bytes_limit", queued_bytes_limit},
             {"close_code", close_code}},
            "client {} is a slow consumer: over {} bytes queued; closing it with {}", id, queued_bytes_limit,
            close_code);
}

}  // namespace wshub
