// Fuzzes HTTP request handling as HttpSession does it on one connection: bytes through Beast's parser with the
// server's limits, then the API (with a real hub and no clients) or the WebSocket handshake. Every answer must read
// back as one HTTP response with a status the server means to send and, unless it is a 101, a JSON body. Where the
// plain upgrade reader (upgrade_request) takes the connection's first bytes, Beast must read them the same way.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json.hpp>

#include "fuzz_check.hpp"
#include "http/http_api.hpp"
#include "http/live_page.hpp"
#include "hub/hub.hpp"
#include "hub/local_backplane.hpp"
#include "ops/metrics_exposition.hpp"
#include "protocol/http_request_limits.hpp"
#include "protocol/request_rules.hpp"
#include "protocol/routes.hpp"
#include "protocol/upgrade_request.hpp"
#include "protocol/websocket_handshake.hpp"

namespace wshub::fuzzing {
namespace {

namespace json = boost::json;

// The fuzzer's input as what a client sent on one connection: a read takes whatever has not been read yet.
class ClientBytes {
 public:
  explicit ClientBytes(std::string_view bytes) : unread_(bytes) {}

  template <typename MutableBuffers>
  std::size_t read_some(MutableBuffers const& buffers, error_code& error) {
    error = unread_.empty() ? error_code(asio::error::eof) : error_code();
    std::size_t const copied = asio::buffer_copy(buffers, asio::buffer(unread_.data(), unread_.size()));
    unread_.remove_prefix(copied);
    return copied;
  }

  template <typename MutableBuffers>
  std::size_t read_some(MutableBuffers const& buffers) {
    error_code error;
    std::size_t const copied = read_some(buffers, error);
    if (error) throw boost::system::system_error(error);
    return copied;
  }

 private:
  std::string_view unread_;
};

// The Date the handshake's answers are given: a fixed one, so that two answers can be compared byte for byte.
constexpr std::string_view answer_date = "Wed, 02 Dec 2026 14:10:05 GMT";

// What one connection's requests meet in the server.
// Answers are posted, never given inside handle(), so the server runs on an io_context the fuzzer turns.
struct Server {
  asio::io_context io;
  LocalBackplane backplane{io.get_executor()};
  Hub hub{backplane};
  Metrics metrics;
  HttpApi const api{hub, metrics};
  RequestLimits const limits{};
};

// HttpSession::read_request without the socket: the head and its rules, then the body (a 100 Continue only writes).
error_code read_request(ClientBytes& client, beast::flat_buffer& buffer, HttpRequestParser& parser) {
  error_code error;
  http::read_header(client, buffer, parser, error);
  if (!error) error = check_request_head(parser.get());
  if (!error) http::read(client, buffer, parser, error);
  return error;
}

std::string serialized(HttpResponse const& response) {
  std::ostringstream bytes;
  bytes << response;
  return std::move(bytes).str();
}

// Reads an answer back with Beast's parser, as the client would.
HttpResponse read_back(std::string const& bytes) {
  http::response_parser<http::string_body> parser;
  parser.eager(true);
  error_code error;
  std::size_t const used = parser.put(asio::buffer(bytes), error);
  check(!error && parser.is_done() && used == bytes.size(), "an answer is one whole HTTP response");
  return parser.release();
}

void check_json_body(HttpResponse const& response) {
  check(response[http::field::content_type] == "application/json", "an answer's body is declared JSON");
  error_code error;
  json::value const body = json::parse(response.body(), error);
  check(!error && body.is_object(), "an answer's body is a JSON object");
}

bool is_one_of(http::status status, std::initializer_list<http::status> statuses) {
  return std::ranges::find(statuses, status) != statuses.end();
}

void check_refusal(HttpResponse const& refusal) {
  auto const answer = read_back(serialized(refusal));
  check(is_one_of(answer.result(), {http::status::bad_request, http::status::payload_too_large,
                                    http::status::request_header_fields_too_large, http::status::not_implemented}),
        "an unreadable request is answered 400, 413, 431 or 501");
  check(!answer.keep_alive(), "an unreadable request closes the connection");
  check_json_body(answer);
}

void check_handshake(HttpRequest const& request, HandshakeAnswer const& handshake) {
  auto const answer = read_back(handshake.bytes);
  check(answer[http::field::date] == answer_date, "a handshake's answer carries the Date it was given");
  if (!handshake.refused) {
    check(answer.result() == http::status::switching_protocols, "an accepted upgrade is answered 101");
    check(answer[http::field::sec_websocket_accept] == sec_websocket_accept(request[http::field::sec_websocket_key]),
          "a 101 accepts the request's key");
    return;
  }
  check(is_one_of(answer.result(), {http::status::bad_request, http::status::upgrade_required}),
        "a refused upgrade is answered 400 or 426");
  check(!answer.keep_alive(), "a refused upgrade closes the connection");
  check_json_body(answer);
}

// The hub has no clients, so a 200 lists nobody, sends to nobody, reports health or readiness, or is the
// metrics text counting nobody. A 307 sends a path with trailing slashes to its route.
void check_api_answer(HttpRequest const& request, HttpResponse const& response) {
  auto const answer = read_back(serialized(response));
  check(answer.version() == request.version(), "an answer speaks the request's HTTP version");
  check(answer.keep_alive() == request.keep_alive(), "an answer keeps the connection as the request asks");
  if (answer.result() == http::status::ok && answer[http::field::content_type] == exposition_content_type) {
    check(answer.body().find("\nwshub_connected_clients 0\n") != std::string::npos, "the metrics count nobody");
    return;
  }
  if (answer.result() == http::status::ok && answer[http::field::content_type] == "text/html; charset=utf-8") {
    bool const page = answer.body() == live_page() || answer.body().find("SwaggerUIBundle(") != std::string::npos;
    check(page, "an HTML answer is the live page or the Swagger UI page");
    return;
  }
  if (answer.result() == http::status::temporary_redirect) {
    auto const location = routes::path_of(answer[http::field::location]);
    check(routes::is_fixed(location) || location == routes::default_docs, "a redirect goes to a route");
    check(answer.body().empty(), "a redirect has no body");
    return;
  }
  check_json_body(answer);
  if (answer.result() == http::status::ok) {
    auto const body = json::parse(answer.body());
    bool const expected = body == json::parse(R"({"clients":[]})") || body == json::parse(R"({"sent":0})") ||
                          body == json::parse(R"({"status":"ok"})") || body == json::parse(R"({"status":"ready"})") ||
                          body.as_object().contains("openapi");
    check(expected, "a 200 is an empty list, a broadcast to nobody, health, readiness or the API document");
    return;
  }
  check(is_one_of(answer.result(), {http::status::not_found, http::status::method_not_allowed,
                                    http::status::unprocessable_entity, http::status::upgrade_required}),
        "the API answers 200, 404, 405, 422 or 426");
}

// Beast's reading of a request the plain reader took, with the header limit the reader was given.
HttpRequest read_by_beast(std::string_view bytes, UpgradeRequest const& scanned, std::size_t max_header_bytes) {
  RequestLimits const limits{.max_header_bytes = max_header_bytes};
  HttpRequestParser parser;
  ChunkExtensionBudget extensions(limits);
  limit_request(parser, extensions, limits);
  error_code error;
  std::size_t const used = parser.put(asio::buffer(bytes.data(), bytes.size()), error);
  check(!error && parser.is_done(), "Beast reads a whole request where the plain reader took one");
  check(used == scanned.head_bytes, "Beast's request ends where the plain reader's does");
  return parser.release();
}

void check_same_answer(HttpRequest const& request, HandshakeFields const& fields,
                       std::span<std::string const> allowed_origins) {
  HandshakeContext const context{.allowed_origins = allowed_origins, .date = answer_date};
  auto const ours = answer_websocket_handshake(fields, context);
  auto const beasts = answer_websocket_handshake(request, context);
  check(ours.refused == beasts.refused && ours.bytes == beasts.bytes, "the handshake answers both readings alike");
}

// HttpSession::upgrade_at_once on the connection's first bytes: what the plain reader takes, Beast takes too, with
// the same target, fields and answer (with and without an Origin allow list), and with the same header limit.
void check_plain_reader(std::string_view bytes, std::size_t max_header_bytes) {
  auto const scanned = scan_upgrade_request(bytes, max_header_bytes);
  if (!scanned) return;
  check(!scan_upgrade_request(bytes, scanned->head_bytes - 1), "the header limit counts the whole head");
  auto const request = read_by_beast(bytes, *scanned, scanned->head_bytes);
  check(is_websocket_upgrade(request) || answer_websocket_handshake(scanned->fields).refused,
        "a request the plain reader upgrades is an upgrade for Beast too");
  check(request.target() == scanned->target, "both readings have the same target");
  // A refused handshake goes to Beast's path whole, and the head's rules are checked there first.
  bool const upgraded = !answer_websocket_handshake(scanned->fields).refused;
  check(!upgraded || !check_request_head(request), "a request the plain reader upgrades keeps the head's rules");
  check(request.version() == 11 && request.method() == http::verb::get, "the plain reader takes GET in HTTP/1.1");
  static std::vector<std::string> const allowed_origins{"https://app.example.com"};
  check_same_answer(request, scanned->fields, {});
  check_same_answer(request, scanned->fields, allowed_origins);
}

// Answers the requests of one keep-alive connection, in the order HttpSession::serve_requests takes them.
void serve(Server& server, std::string_view bytes) {
  check_plain_reader(bytes, server.limits.max_header_bytes);
  ClientBytes client(bytes);
  beast::flat_buffer buffer(server.limits.max_header_bytes);
  for (;;) {
    HttpRequestParser parser;
    ChunkExtensionBudget extensions(server.limits);
    limit_request(parser, extensions, server.limits);
    if (auto const error = read_request(client, buffer, parser)) {
      auto const refusal = answer_unreadable_request(error, server.limits);
      if (refusal) check_refusal(*refusal);
      return;
    }
    HttpRequest const request = parser.release();
    if (is_websocket_upgrade(request)) {
      return check_handshake(request, answer_websocket_handshake(request, {.date = answer_date}));
    }
    // A single node's API answers in the io_context's next turns, with nothing else to wait for.
    std::optional<HttpResponse> response;
    server.api.handle(
        request, asio::bind_executor(server.io, [&response](HttpResponse answer) { response = std::move(answer); }));
    check(!response.has_value(), "an answer never runs inside handle()");
    server.io.restart();
    server.io.run();
    check(response.has_value(), "a single node answers every request without waiting on anything");
    check_api_answer(request, *response);
    if (!response->keep_alive()) return;
  }
}

}  // namespace
}  // namespace wshub::fuzzing

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  static wshub::fuzzing::Server server;
  wshub::fuzzing::serve(server, {reinterpret_cast<char const*>(data), size});
  return 0;
}
