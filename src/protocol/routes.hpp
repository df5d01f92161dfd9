// The paths wshub answers, in one place.
#pragma once

#include <optional>
#include <string_view>

namespace wshub::routes {

inline constexpr std::string_view websocket_prefix = "/ws/";
inline constexpr std::string_view websocket_root = "/ws";
inline constexpr std::string_view clients = "/clients";
inline constexpr std::string_view broadcast_to_all = "/broadcast-to-all";
inline constexpr std::string_view send_to_clients = "/send-to-clients";
// /clients/{clientId} (GET, DELETE) and /clients/{clientId}/send (POST).
inline constexpr std::string_view client_prefix = "/clients/";
inline constexpr std::string_view send_suffix = "/send";
inline constexpr std::string_view healthz = "/healthz";
inline constexpr std::string_view readyz = "/readyz";
inline constexpr std::string_view metrics = "/metrics";
inline constexpr std::string_view live_page = "/";
inline constexpr std::string_view openapi = "/openapi.json";
// The Swagger UI page's path is a setting (DOCS_URL); this is its default, FastAPI's.
inline constexpr std::string_view default_docs = "/docs";

// The path of a request target, without its query string. An absolute-form target ("http://host/clients", RFC 9112
// section 3.2.2) is served by its path, "/" when it has none.
constexpr std::string_view path_of(std::string_view target) {
  if (auto const authority = target.find("://"); !target.starts_with('/') && authority != std::string_view::npos) {
    auto const path = target.find_first_of("/?", authority + 3);
    if (path == std::string_view::npos || target[path] == '?') return "/";
    target.remove_prefix(path);
  }
  return target.substr(0, target.find('?'));
}

// True for "/ws" and everything under "/ws/": the WebSocket route, valid client id or not.
constexpr bool is_websocket_path(std::string_view path) {
  return path == websocket_root || path.starts_with(websocket_prefix);
}

// What a path under /clients/ names: the client's id segment (still percent-encoded, any text: FastAPI matches
// first and validates after), and whether it is the /send route.
struct ClientRoute {
  std::string_view id_segment;
  bool send = false;
};

// The client route a path takes, if it takes one: a non-empty segment after /clients/, alone or before /send.
constexpr std::optional<ClientRoute> client_route(std::string_view path) {
  if (!path.starts_with(client_prefix)) return std::nullopt;
  path.remove_prefix(client_prefix.size());
  bool const send = path.ends_with(send_suffix);
  if (send) path.remove_suffix(send_suffix.size());
  if (path.empty() || path.find('/') != std::string_view::npos) return std::nullopt;
  return ClientRoute{path, send};
}

// True for a path one of the routes above answers, whatever the settings: where the docs page may not go.
constexpr bool is_fixed(std::string_view path) {
  for (auto const route : {clients, broadcast_to_all, send_to_clients, healthz, readyz, metrics, live_page, openapi}) {
    if (path == route) return true;
  }
  return is_websocket_path(path) || client_route(path).has_value();
}

}  // namespace wshub::routes
