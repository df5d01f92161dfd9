// What a WebSocket connection's keepalive does when its timer fires: a plain decision, testable without a socket.
#pragma once

#include <chrono>

#include "server/websocket_options.hpp"

namespace wshub {

struct KeepaliveStep {
  enum class Action {
    wait,           // heard from recently: check again after next_check
    ping,           // silent for a ping interval: ping, and check again after next_check
    slow_consumer,  // silent because we stopped reading it: it is over the backpressure cap
    idle_timeout,   // no answer to a ping: drop it
  };
  Action action = Action::wait;
  std::chrono::steady_clock::duration next_check{};
};

// silent: how long since the client's last bytes arrived.
KeepaliveStep keepalive_step(WebSocketOptions const& options, std::chrono::steady_clock::duration silent,
                             bool over_backpressure_cap);

}  // namespace wshub
