// The limits and timeouts of a WebSocket connection, each with its unit and its default.
#pragma once

#include <chrono>
#include <cstddef>

#include "protocol/outgoing_compression.hpp"

namespace wshub {

struct WebSocketOptions {
  std::size_t max_message_bytes = 16 * 1024 * 1024;  // uvicorn's ws_max_size
  // A client with more than this waiting to be sent to it is disconnected as a slow consumer.
  std::size_t max_backpressure_bytes = 4 * 1024 * 1024;
  // How long a close handshake we start may take before we drop the connection.
  std::chrono::steady_clock::duration close_timeout = std::chrono::seconds(5);
  // A client silent this long is pinged, and one silent for idle_timeout is dropped, so that dead peers do not
  // hold their ids forever.
  std::chrono::steady_clock::duration ping_interval = std::chrono::seconds(25);
  std::chrono::steady_clock::duration idle_timeout = std::chrono::seconds(60);
  DeflateOptions deflate;  // permessage-deflate for the clients that offer it
};

}  // namespace wshub
