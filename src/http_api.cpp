// Routes plain HTTP requests; response bodies and error shapes match what FastAPI sends for the seed service.
#include "http_api.hpp"

#include <boost/json.hpp>

#include "broadcast_request.hpp"
#include "routes.hpp"
#include "version.hpp"

namespace wshub {
namespace {

namespace json = boost::json;

HttpResponse json_response(http::status status, json::value const& body, unsigned http_version, bool keep_alive) {
  HttpResponse response{status, http_version};
  response.set(http::field::server, std::string("wshub/") + version);
  response.set(http::field::content_type, "application/json");
  response.keep_alive(keep_alive);
  response.body() = json::serialize(body);
  response.prepare_payload();
  return response;
}

HttpResponse reply(HttpRequest const& request, http::status status, json::value const& body) {
  return json_response(status, body, request.version(), request.keep_alive());
}

HttpResponse method_not_allowed(HttpRequest const& request, std::string_view allowed) {
  auto response = reply(request, http::status::method_not_allowed, {{"detail", "Method Not Allowed"}});
  response.set(http::field::allow, allowed);
  return response;
}

HttpResponse upgrade_required(HttpRequest const& request) {
  auto response = reply(request, http::status::upgrade_required,
                        {{"detail", "/ws/{clientId} is a WebSocket endpoint: send a WebSocket upgrade request"}});
  response.set(http::field::upgrade, "websocket");
  response.set(http::field::connection, request.keep_alive() ? "Upgrade, keep-alive" : "Upgrade, close");
  return response;
}

}  // namespace

HttpResponse HttpApi::handle(HttpRequest const& request) const {
  auto const path = routes::path_of(request.target());
  bool const is_get = request.method() == http::verb::get;
  if (path == routes::clients) return is_get ? list_clients(request) : method_not_allowed(request, "GET");
  if (path == routes::broadcast_to_all) {
    return request.method() == http::verb::post ? broadcast(request) : method_not_allowed(request, "POST");
  }
  if (routes::is_websocket_path(path)) return upgrade_required(request);
  return reply(request, http::status::not_found, {{"detail", "Not Found"}});
}

HttpResponse HttpApi::error(http::status status, std::string_view detail, unsigned http_version) {
  return json_response(status, {{"detail", detail}}, http_version, false);
}

HttpResponse HttpApi::list_clients(HttpRequest const& request) const {
  json::array ids;
  for (ClientId id : hub_.client_ids()) ids.emplace_back(id);
  return reply(request, http::status::ok, {{"clients", std::move(ids)}});
}

HttpResponse HttpApi::broadcast(HttpRequest const& request) const {
  auto parsed = parse_broadcast_request(request.body());
  if (!parsed.message)
    return reply(request, http::status::unprocessable_entity, {{"detail", std::move(parsed.errors)}});
  std::size_t const sent = hub_.broadcast(std::move(*parsed.message));
  return reply(request, http::status::ok, {{"sent", sent}});
}

}  // namespace wshub
