// The address of a connection's peer as log lines name it.
#pragma once

#include <string>

#include "server/connection_types.hpp"

namespace wshub {

// "203.0.113.5:41234" or "[2001:db8::1]:41234"; "unknown" when the socket no longer knows its peer.
std::string remote_address(ConnectionSocket const& socket);

}  // namespace wshub
