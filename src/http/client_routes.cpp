// Each route: parameters checked first (every error in one 422), then one call on the hub, answered when it is.
#include "http/client_routes.hpp"

#include <ctime>

#include <spdlog/fmt/chrono.h>
#include <boost/asio/system_executor.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/json.hpp>

#include "http/broadcast_request.hpp"
#include "http/client_route_params.hpp"
#include "http/send_to_clients_request.hpp"

namespace wshub {
namespace {

namespace json = boost::json;

// What an answer given after the request is gone needs of it.
struct ReplyTo {
  unsigned version;
  bool keep_alive;

  explicit ReplyTo(HttpRequest const& request) : version(request.version()), keep_alive(request.keep_alive()) {}
  HttpResponse operator()(http::status status, json::value const& body) const {
    return json_response(status, body, version, keep_alive);
  }
};

HttpResponse not_connected(ReplyTo reply) {
  return reply(http::status::not_found, {{"detail", "Client not connected"}});
}

void answer_now(ClientRoutes::Respond respond, HttpResponse response) {
  complete_posted(asio::system_executor(), std::move(respond), std::move(response));
}

void answer_invalid(ClientRoutes::Respond respond, ReplyTo reply, json::array errors) {
  answer_now(std::move(respond), reply(http::status::unprocessable_entity, {{"detail", std::move(errors)}}));
}

// "2026-12-02T04:40:00.123456Z": ISO 8601 in UTC to the microsecond, as pydantic writes a datetime.
std::string utc_timestamp(JoinTime time) {
  auto const seconds = std::chrono::floor<std::chrono::seconds>(time);
  auto const micros = (time - seconds).count();
  std::time_t const since_epoch = std::chrono::system_clock::to_time_t(seconds);
  std::tm utc{};
  gmtime_r(&since_epoch, &utc);
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:06}Z", utc, micros);
}

json::array ids_array(std::vector<ClientId> const& ids) {
  return json::array(ids.begin(), ids.end());
}

}  // namespace

void ClientRoutes::send_to_client(HttpRequest const& request, std::string_view id_segment, Respond respond) const {
  ReplyTo const reply(request);
  auto id = parse_path_client_id(id_segment);
  auto body = parse_broadcast_request(request.body());
  if (!id.id || !body.message) {
    for (auto& error : body.errors) id.errors.push_back(std::move(error));
    return answer_invalid(std::move(respond), reply, std::move(id.errors));
  }
  metrics_.add(Counter::sends);
  auto executor = respond.executor();
  hub_.send_to(
      {*id.id}, std::move(*body.message),
      {std::move(executor), [this, reply, respond = std::move(respond)](SendResult result) mutable {
         metrics_.add(Counter::send_deliveries, result.sent);
         std::move(respond)(result.sent == 0 ? not_connected(reply) : reply(http::status::ok, {{"sent", result.sent}}));
       }});
}

void ClientRoutes::send_to_clients(HttpRequest const& request, Respond respond) const {
  ReplyTo const reply(request);
  auto parsed = parse_send_to_clients_request(request.body());
  if (!parsed.send) return answer_invalid(std::move(respond), reply, std::move(parsed.errors));
  metrics_.add(Counter::sends);
  auto executor = respond.executor();
  hub_.send_to(
      std::move(parsed.send->ids), std::move(parsed.send->message),
      {std::move(executor), [this, reply, respond = std::move(respond)](SendResult result) mutable {
         metrics_.add(Counter::send_deliveries, result.sent);
         std::move(respond)(reply(http::status::ok, {{"sent", result.sent}, {"missing", ids_array(result.missing)}}));
       }});
}

void ClientRoutes::disconnect(HttpRequest const& request, std::string_view id_segment, Respond respond) const {
  ReplyTo const reply(request);
  auto id = parse_path_client_id(id_segment);
  auto query = parse_close_query(request.target());
  if (!id.id || !query.close) {
    for (auto& error : query.errors) id.errors.push_back(std::move(error));
    return answer_invalid(std::move(respond), reply, std::move(id.errors));
  }
  auto executor = respond.executor();
  hub_.disconnect(
      *id.id, query.close->code, std::move(query.close->reason),
      {std::move(executor), [this, reply, respond = std::move(respond)](std::size_t closed) mutable {
         metrics_.add(Counter::disconnect_requests, closed);
         std::move(respond)(closed == 0 ? not_connected(reply) : reply(http::status::ok, {{"closed", closed}}));
       }});
}

void ClientRoutes::locate(HttpRequest const& request, std::string_view id_segment, Respond respond) const {
  ReplyTo const reply(request);
  auto id = parse_path_client_id(id_segment);
  if (!id.id) return answer_invalid(std::move(respond), reply, std::move(id.errors));
  auto executor = respond.executor();
  hub_.locate(
      *id.id,
      {std::move(executor), [reply, respond = std::move(respond)](std::optional<ClientLocation> location) mutable {
         if (!location) return std::move(respond)(not_connected(reply));
         std::move(respond)(reply(
             http::status::ok,
             {{"id", location->id}, {"connected_at", utc_timestamp(location->joined_at)}, {"node", location->node}}));
       }});
}

}  // namespace wshub
