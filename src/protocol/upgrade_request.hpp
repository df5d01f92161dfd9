// Reads a plain WebSocket upgrade request straight from the connection's first bytes, without Beast's parser;
// anything it does not recognise is left to Beast.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "protocol/websocket_handshake.hpp"

namespace wshub {

// A GET .. HTTP/1.1 request on the WebSocket route with no body, exactly as Beast would read it.
struct UpgradeRequest {
  std::string_view target;
  HandshakeFields fields;
  std::size_t head_bytes = 0;  // the request line and the header, blank line included
};

// The request at the start of `bytes` when it is whole, within max_header_bytes and plain: the request line
// "GET target HTTP/1.1", fields of visible ASCII and spaces, at most one of each field the handshake reads (the
// Sec-WebSocket-Extensions fields excepted: every one is kept, in order), a Connection list Beast accepts, no
// Content-Length, Transfer-Encoding, Expect or Proxy-Connection. Anything else, valid or not (a request cut short,
// obs-fold, tabs, bytes above 0x7E, a body, another route), gives nullopt and goes to Beast, so that every answer,
// limit and error stays Beast's.
std::optional<UpgradeRequest> scan_upgrade_request(std::string_view bytes, std::size_t max_header_bytes);

}  // namespace wshub
