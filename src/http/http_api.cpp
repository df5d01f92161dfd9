// Routes plain HTTP requests; response bodies and error shapes match what FastAPI sends for the seed service.
#include "http/http_api.hpp"

#include <boost/asio/system_executor.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/json.hpp>

#include "http/api_document.hpp"
#include "http/bearer_token.hpp"
#include "http/broadcast_request.hpp"
#include "http/live_page.hpp"
#include "http/swagger_ui_page.hpp"
#include "ops/metrics_exposition.hpp"
#include "ops/process_stats.hpp"
#include "version.hpp"

namespace wshub {
namespace {

namespace json = boost::json;

HttpResponse reply(HttpRequest const& request, http::status status, json::value const& body) {
  return json_response(status, body, request.version(), request.keep_alive());
}

HttpResponse method_not_allowed(HttpRequest const& request, std::string_view allowed) {
  auto response = reply(request, http::status::method_not_allowed, {{"detail", "Method Not Allowed"}});
  response.set(http::field::allow, allowed);
  return response;
}

constexpr std::string_view html_content_type = "text/html; charset=utf-8";
// The title FastAPI's document and Swagger UI page would show, had the application named itself.
constexpr std::string_view api_title = "wshub";

HttpResponse live_page_response(HttpRequest const& request) {
  auto response = response_with(http::status::ok, html_content_type, std::string(live_page()), request.version(),
                                request.keep_alive());
  response.set("Content-Security-Policy", live_page_security_policy(request[http::field::host]));
  response.set("X-Content-Type-Options", "nosniff");
  return response;
}

HttpResponse upgrade_required(HttpRequest const& request) {
  auto response = reply(request, http::status::upgrade_required,
                        {{"detail", "/ws/{clientId} is a WebSocket endpoint: send a WebSocket upgrade request"}});
  response.set(http::field::upgrade, "websocket");
  response.set(http::field::connection, request.keep_alive() ? "Upgrade, keep-alive" : "Upgrade, close");
  return response;
}

// RFC 6750 section 3: the challenge names the scheme, and says why a token that was sent is refused.
HttpResponse unauthorized(HttpRequest const& request, bool token_sent) {
  auto response = reply(request, http::status::unauthorized,
                        {{"detail", token_sent ? "Invalid bearer token" : "Not authenticated"}});
  response.set(http::field::www_authenticate,
               token_sent ? R"(Bearer realm="wshub", error="invalid_token")" : R"(Bearer realm="wshub")");
  return response;
}

HttpResponse temporary_redirect(HttpRequest const& request, std::string const& location) {
  auto response = response_with(http::status::temporary_redirect, {}, {}, request.version(), request.keep_alive());
  response.set(http::field::location, location);
  return response;
}

// The path with its trailing slashes taken off, or with one put on: the other spelling of the same route.
std::string slash_twin(std::string_view path) {
  if (!path.ends_with('/')) return std::string(path) + '/';
  return std::string(path.substr(0, path.find_last_not_of('/') + 1));
}

// An answer known inside handle() is posted to respond's executor: handle() has returned before it runs.
void answer_now(HttpApi::Respond respond, HttpResponse response) {
  complete_posted(asio::system_executor(), std::move(respond), std::move(response));
}

}  // namespace

HttpApi::HttpApi(Hub& hub, Metrics& metrics, ApiOptions options)
    : hub_(hub),
      metrics_(metrics),
      client_routes_(hub, metrics),
      options_(std::move(options)),
      api_document_(api_document({.api_token_required = !options_.api_token.empty(),
                                  .metrics_token_required = !options_.metrics_token.empty()})),
      swagger_ui_page_(swagger_ui_page(api_title, routes::openapi)) {}

void HttpApi::handle(HttpRequest const& request, Respond respond) const {
  metrics_.add(Counter::http_requests);
  route(request, std::move(respond));
}

void HttpApi::route(HttpRequest const& request, Respond respond) const {
  auto const path = routes::path_of(request.target());
  bool const is_get = request.method() == http::verb::get;
  auto const& token = options_.api_token;
  if (path == routes::clients) {
    return guarded_as(http::verb::get, request, token, respond, [&] { list_clients(request, std::move(respond)); });
  }
  if (path == routes::broadcast_to_all) {
    return guarded_as(http::verb::post, request, token, respond, [&] { broadcast(request, std::move(respond)); });
  }
  if (path == routes::send_to_clients) {
    return guarded_as(http::verb::post, request, token, respond,
                      [&] { client_routes_.send_to_clients(request, std::move(respond)); });
  }
  if (route_to_client(request, path, respond)) return;
  if (path == routes::healthz) {
    return answer_now(std::move(respond), is_get ? reply(request, http::status::ok, {{"status", "ok"}})
                                                 : method_not_allowed(request, "GET"));
  }
  if (path == routes::readyz) {
    return answer_now(std::move(respond), is_get ? readiness(request) : method_not_allowed(request, "GET"));
  }
  if (path == routes::metrics) {
    if (!is_get) return answer_now(std::move(respond), method_not_allowed(request, "GET"));
    return guarded(request, options_.metrics_token, respond, [&] { answer_now(std::move(respond), metrics(request)); });
  }
  if (routes::is_websocket_path(path)) return answer_now(std::move(respond), upgrade_required(request));
  if (auto response = page(request, path)) return answer_now(std::move(respond), std::move(*response));
  if (auto location = slash_redirect(request, path)) {
    return answer_now(std::move(respond), temporary_redirect(request, *location));
  }
  answer_now(std::move(respond), reply(request, http::status::not_found, {{"detail", "Not Found"}}));
}

bool HttpApi::route_to_client(HttpRequest const& request, std::string_view path, Respond& respond) const {
  auto const client = routes::client_route(path);
  if (!client) return false;
  auto const method = request.method();
  if (client->send && method != http::verb::post) {
    answer_now(std::move(respond), method_not_allowed(request, "POST"));
  } else if (!client->send && method != http::verb::get && method != http::verb::delete_) {
    answer_now(std::move(respond), method_not_allowed(request, "GET, DELETE"));
  } else {
    guarded(request, options_.api_token, respond, [&] {
      if (client->send) return client_routes_.send_to_client(request, client->id_segment, std::move(respond));
      if (method == http::verb::get) return client_routes_.locate(request, client->id_segment, std::move(respond));
      client_routes_.disconnect(request, client->id_segment, std::move(respond));
    });
  }
  return true;
}

std::optional<HttpResponse> HttpApi::page(HttpRequest const& request, std::string_view path) const {
  bool const is_docs = !options_.docs_url.empty() && path == options_.docs_url;
  if (path != routes::live_page && path != routes::openapi && !is_docs) return std::nullopt;
  if (request.method() != http::verb::get) return method_not_allowed(request, "GET");
  if (path == routes::live_page) return live_page_response(request);
  auto const version = request.version();
  if (path == routes::openapi)
    return response_with(http::status::ok, "application/json", api_document_, version, request.keep_alive());
  return response_with(http::status::ok, html_content_type, swagger_ui_page_, version, request.keep_alive());
}

// FastAPI redirects every route this way (Starlette's redirect_slashes): a path no route takes, which a route does
// take without its trailing slashes (or with one), is answered 307 to that spelling, query kept, any method.
// Starlette writes the location absolute, on the request's Host; this one is relative (RFC 9110 section 10.2.2
// allows it, and clients resolve it to the same URL), so that no Host a client makes up is ever written back.
std::optional<std::string> HttpApi::slash_redirect(HttpRequest const& request, std::string_view path) const {
  auto location = slash_twin(path);
  bool const routed = (routes::is_fixed(location) && !routes::is_websocket_path(location)) ||
                      (!options_.docs_url.empty() && location == options_.docs_url);
  if (!routed) return std::nullopt;
  auto const target = request.target();
  if (auto const query = target.find('?'); query != std::string_view::npos) location.append(target.substr(query));
  return location;
}

template <typename Answer>
void HttpApi::guarded_as(http::verb method, HttpRequest const& request, std::string const& token, Respond& respond,
                         Answer answer) const {
  if (request.method() != method) {
    return answer_now(std::move(respond), method_not_allowed(request, http::to_string(method)));
  }
  guarded(request, token, respond, std::move(answer));
}

template <typename Answer>
void HttpApi::guarded(HttpRequest const& request, std::string const& token, Respond& respond, Answer answer) const {
  auto const authorization = request[http::field::authorization];
  if (token.empty() || bearer_token_matches(authorization, token)) return answer();
  metrics_.add(Counter::http_rejected_unauthorized);
  answer_now(std::move(respond), unauthorized(request, !authorization.empty()));
}

void HttpApi::list_clients(HttpRequest const& request, Respond respond) const {
  // The answer may come after the request is gone: it keeps what it needs of it, and runs where respond is to run.
  auto executor = respond.executor();
  hub_.list_clients(
      {std::move(executor), [respond = std::move(respond), version = request.version(),
                             keep_alive = request.keep_alive()](std::vector<ClientId> ids) mutable {
         json::array listed(ids.begin(), ids.end());
         std::move(respond)(json_response(http::status::ok, {{"clients", std::move(listed)}}, version, keep_alive));
       }});
}

void HttpApi::broadcast(HttpRequest const& request, Respond respond) const {
  auto parsed = parse_broadcast_request(request.body());
  if (!parsed.message) {
    return answer_now(std::move(respond),
                      reply(request, http::status::unprocessable_entity, {{"detail", std::move(parsed.errors)}}));
  }
  metrics_.add(Counter::broadcasts);
  auto executor = respond.executor();
  hub_.broadcast(std::move(*parsed.message),
                 {std::move(executor), [this, respond = std::move(respond), version = request.version(),
                                        keep_alive = request.keep_alive()](std::size_t sent) mutable {
                    metrics_.add(Counter::broadcast_deliveries, sent);
                    std::move(respond)(json_response(http::status::ok, {{"sent", sent}}, version, keep_alive));
                  }});
}

HttpResponse HttpApi::readiness(HttpRequest const& request) const {
  // A load balancer stops sending new clients from the first signal on, while the others drain, and sends none
  // before the node has joined its cluster.
  auto const cluster = hub_.backplane_state();
  bool const admitting = hub_.admitting();
  bool const ready = admitting && !cluster.joining;
  json::object body{{"status", !admitting ? "shutting down" : ready ? "ready" : "joining the cluster"}};
  // A node cut off from Redis still serves its own clients, so it stays ready and says what it is missing.
  if (cluster.clustered) body["redis"] = cluster.connected ? "up" : "down";
  if (!cluster.primary.empty()) body["redis_primary"] = cluster.primary;
  return reply(request, ready ? http::status::ok : http::status::service_unavailable, body);
}

HttpResponse HttpApi::metrics(HttpRequest const& request) const {
  auto const cluster = hub_.backplane_state();
  ServerGauges const gauges{.connected_clients = hub_.client_count(),
                            .shutting_down = !hub_.admitting(),
                            .redis_connected = cluster.clustered ? std::optional(cluster.connected) : std::nullopt,
                            .redis_primary = cluster.primary};
  return response_with(http::status::ok, exposition_content_type,
                       prometheus_exposition(metrics_, gauges, read_process_stats()), request.version(),
                       request.keep_alive());
}

}  // namespace wshub
