// The log lines of a WebSocket client's life in the hub: connected, disconnected, dropped as a slow consumer.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "hub/client_id.hpp"
#include "hub/hub.hpp"
#include "server/connection_types.hpp"

namespace wshub {

// At DEBUG; connected: how many clients the hub holds now, asked only if the line is written.
void log_connected(ClientId id, ConnectionSocket const& socket, Hub const& hub);
// At DEBUG; close_code: the code of the close frame that ended the connection, if one did.
void log_disconnected(ClientId id, ConnectionSocket const& socket, Hub const& hub, std::string_view why,
                      std::optional<int> close_code);
// At INFO: a client dropped for what waits to be sent to it.
void log_slow_consumer(ClientId id, ConnectionSocket const& socket, std::size_t queued_bytes_limit, int close_code);

}  // namespace wshub
