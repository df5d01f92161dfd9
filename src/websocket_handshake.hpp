// Answers a WebSocket opening handshake (RFC 6455 section 4.2) by hand, without Beast's websocket::stream.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "http_api.hpp"

namespace wshub {

// What to write back to an upgrade request. After a refusal the server closes the connection.
struct HandshakeAnswer {
  std::string bytes;
  bool refused = false;
  http::status status = http::status::switching_protocols;
};

// A WebSocket upgrade request on the /ws route: answered by the handshake, everything else by the API.
bool is_websocket_upgrade(HttpRequest const& request);

// RFC 6455 section 4.2.2: base64(SHA-1(key + the protocol's GUID)).
std::string sec_websocket_accept(std::string_view key);

// Checks the request as RFC 6455 section 4.2.1 (and Beast's accept) do. Answers 101 Switching Protocols; 426
// naming version 13 when the client speaks another version; 403 when allowed_origins (lower case) is not empty
// and the Origin header is not in it; 400 when anything else is wrong. Refusals carry {"detail": ...} and
// Connection: close, like the API's other errors.
HandshakeAnswer answer_websocket_handshake(HttpRequest const& request,
                                           std::span<std::string const> allowed_origins = {});

}  // namespace wshub
