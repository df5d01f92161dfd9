// The paths wshub answers, in one place.
#pragma once

#include <string_view>

namespace wshub::routes {

inline constexpr std::string_view websocket_prefix = "/ws/";
inline constexpr std::string_view websocket_root = "/ws";
inline constexpr std::string_view clients = "/clients";
inline constexpr std::string_view broadcast_to_all = "/broadcast-to-all";
inline constexpr std::string_view healthz = "/healthz";
inline constexpr std::string_view readyz = "/readyz";
inline constexpr std::string_view metrics = "/metrics";

// The path of a request target, without its query string.
constexpr std::string_view path_of(std::string_view target) {
  return target.substr(0, target.find('?'));
}

// True for "/ws" and everything under "/ws/": the WebSocket route, valid client id or not.
constexpr bool is_websocket_path(std::string_view path) {
  return path == websocket_root || path.starts_with(websocket_prefix);
}

}  // namespace wshub::routes
