// Client ids: what they are and how one is read from a /ws/{clientId} path or an HTTP route's path segment.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace wshub {

// The seed declares clientId as a Python int; a signed 64-bit integer covers every id a client sends in practice.
using ClientId = std::int64_t;

// The client id in a WebSocket path, or the reason there is none (short enough for a close frame).
struct ClientIdParse {
  std::optional<ClientId> id;
  std::string error;
};

// Reads "/ws/{clientId}" (no query string): an optional '-' and decimal digits, percent-encoding allowed,
// nothing after the id.
ClientIdParse parse_client_id(std::string_view path);

// The id in a path segment of an HTTP route (/clients/{clientId}), by the same rule; nullopt if it is none.
std::optional<ClientId> client_id_in_segment(std::string_view segment);

}  // namespace wshub
