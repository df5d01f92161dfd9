// Tests the WebSocket handshake answer: the accept key, the exact 101, and every refusal's status and detail.
#include "protocol/websocket_handshake.hpp"

#include <gtest/gtest.h>
#include <boost/asio/buffer.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/rfc7230.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/json.hpp>

#include <vector>

#include "protocol/net.hpp"
#include "version.hpp"

namespace wshub {
namespace {

namespace json = boost::json;

// RFC 6455 section 1.3's example key.
constexpr std::string_view rfc_key = "dGhlIHNhbXBsZSBub25jZQ==";

HttpRequest valid_request() {
  HttpRequest request{http::verb::get, "/ws/1", 11};
  request.set(http::field::host, "localhost");
  request.set(http::field::upgrade, "websocket");
  request.set(http::field::connection, "Upgrade");
  request.set(http::field::sec_websocket_key, rfc_key);
  request.set(http::field::sec_websocket_version, "13");
  return request;
}

HttpRequest with(http::field field, std::string_view value) {
  auto request = valid_request();
  request.set(field, value);
  return request;
}

// The valid request with a second field of that name after the first.
HttpRequest twice(http::field field, std::string_view second) {
  auto request = valid_request();
  request.insert(field, second);
  return request;
}

HttpRequest without(http::field field) {
  auto request = valid_request();
  request.erase(field);
  return request;
}

// Reads the answer back with Beast's parser, as a client would.
HttpResponse parsed(std::string const& bytes) {
  http::response_parser<http::string_body> parser;
  parser.eager(true);
  error_code error;
  parser.put(asio::buffer(bytes), error);
  EXPECT_FALSE(error) << error.message();
  EXPECT_TRUE(parser.is_done());
  return parser.release();
}

TEST(WebSocketHandshake, AnUpgradeOnTheWebSocketRouteIsTheHandshakes) {
  EXPECT_TRUE(is_websocket_upgrade(valid_request()));
  auto request = valid_request();
  request.target("/ws?token=1");
  EXPECT_TRUE(is_websocket_upgrade(request));
}

TEST(WebSocketHandshake, AnythingElseIsTheApis) {
  auto request = valid_request();
  request.target("/clients");
  EXPECT_FALSE(is_websocket_upgrade(request));
  EXPECT_FALSE(is_websocket_upgrade(without(http::field::upgrade)));
  EXPECT_FALSE(is_websocket_upgrade(HttpRequest{http::verb::get, "/ws/1", 11}));
}

TEST(WebSocketHandshake, AcceptOfTheRfcExample) {
  EXPECT_EQ(sec_websocket_accept(rfc_key), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(WebSocketHandshake, AnswersAValidRequestWithExactly101) {
  auto const answer = answer_websocket_handshake(valid_request());
  EXPECT_FALSE(answer.refused);
  EXPECT_EQ(answer.bytes, std::string("HTTP/1.1 101 Switching Protocols\r\n"
                                      "Upgrade: websocket\r\n"
                                      "Connection: Upgrade\r\n"
                                      "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
                                      "Server: wshub/") +
                              version + "\r\n\r\n");
}

TEST(WebSocketHandshake, The101CarriesTheDateItIsGiven) {
  auto const answer = answer_websocket_handshake(valid_request(), {.date = "Wed, 02 Dec 2026 14:10:05 GMT"});
  EXPECT_FALSE(answer.refused);
  EXPECT_TRUE(answer.bytes.ends_with("\r\nServer: wshub/" + std::string(version) +
                                     "\r\nDate: Wed, 02 Dec 2026 14:10:05 GMT\r\n\r\n"));
  EXPECT_EQ(parsed(answer.bytes)[http::field::date], "Wed, 02 Dec 2026 14:10:05 GMT");
}

TEST(WebSocketHandshake, ARefusalCarriesTheDateItIsGiven) {
  auto const answer = answer_websocket_handshake(without(http::field::host), {.date = "Wed, 02 Dec 2026 14:10:05 GMT"});
  EXPECT_TRUE(answer.refused);
  EXPECT_EQ(parsed(answer.bytes)[http::field::date], "Wed, 02 Dec 2026 14:10:05 GMT");
}

TEST(WebSocketHandshake, TokensIgnoreCaseAndMayShareTheirHeader) {
  auto request = with(http::field::connection, "keep-alive, UPGRADE");
  request.set(http::field::upgrade, "h2c, WebSocket");
  EXPECT_FALSE(answer_websocket_handshake(request).refused);
}

TEST(WebSocketHandshake, AnotherVersionIs426NamingVersion13) {
  auto const answer = answer_websocket_handshake(with(http::field::sec_websocket_version, "12"));
  EXPECT_TRUE(answer.refused);
  auto const response = parsed(answer.bytes);
  EXPECT_EQ(response.result(), http::status::upgrade_required);
  EXPECT_EQ(response[http::field::sec_websocket_version], "13");
  EXPECT_EQ(response[http::field::upgrade], "websocket");
}

struct Refusal {
  std::string_view what;
  HttpRequest request;
  http::status status;
};

std::vector<Refusal> refusals() {
  auto post = valid_request();
  post.method(http::verb::post);
  auto http_1_0 = valid_request();
  http_1_0.version(10);
  auto const bad = http::status::bad_request;
  return {
      {"POST", post, bad},
      {"HTTP/1.0", http_1_0, bad},
      {"no Host", without(http::field::host), bad},
      {"no Connection", without(http::field::connection), bad},
      {"no upgrade token", with(http::field::connection, "keep-alive"), bad},
      {"no Upgrade", without(http::field::upgrade), bad},
      {"no websocket token", with(http::field::upgrade, "h2c"), bad},
      {"no key", without(http::field::sec_websocket_key), bad},
      {"empty key", with(http::field::sec_websocket_key, ""), bad},
      {"key unpadded", with(http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ"), bad},
      {"key of 15 bytes", with(http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25j"), bad},
      {"key of 17 bytes", with(http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ0="), bad},
      {"key not base64", with(http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25j*Q=="), bad},
      {"no version", without(http::field::sec_websocket_version), bad},
      {"version 12", with(http::field::sec_websocket_version, "12"), http::status::upgrade_required},
      {"version 8, 13", with(http::field::sec_websocket_version, "8, 13"), http::status::upgrade_required},
      {"two keys", twice(http::field::sec_websocket_key, "AAAAAAAAAAAAAAAAAAAAAA=="), bad},
      {"the same key twice", twice(http::field::sec_websocket_key, rfc_key), bad},
      {"two versions", twice(http::field::sec_websocket_version, "13"), bad},
  };
}

TEST(WebSocketHandshake, EachRefusalHasItsStatusAJsonDetailAndClosesTheConnection) {
  for (auto const& refusal : refusals()) {
    SCOPED_TRACE(refusal.what);
    auto const answer = answer_websocket_handshake(refusal.request);
    EXPECT_TRUE(answer.refused);
    EXPECT_EQ(answer.status, refusal.status);
    auto const response = parsed(answer.bytes);
    EXPECT_EQ(response.result(), refusal.status);
    EXPECT_EQ(response.version(), 11u);
    EXPECT_FALSE(response.keep_alive());
    EXPECT_TRUE(http::token_list{response[http::field::connection]}.exists("close"));
    EXPECT_EQ(response[http::field::content_type], "application/json");
    EXPECT_TRUE(response[http::field::server].starts_with("wshub/"));
    auto const body = json::parse(response.body()).as_object();
    EXPECT_EQ(body.size(), 1u);
    EXPECT_FALSE(body.at("detail").as_string().empty());
  }
}

TEST(WebSocketHandshake, AnOriginNotAllowedIs403) {
  std::vector<std::string> const allowed{"https://app.example.com", "http://localhost:8080"};
  auto const answer =
      answer_websocket_handshake(with(http::field::origin, "https://evil.example.com"), {.allowed_origins = allowed});
  EXPECT_TRUE(answer.refused);
  EXPECT_EQ(answer.status, http::status::forbidden);
  auto const response = parsed(answer.bytes);
  EXPECT_EQ(response.result(), http::status::forbidden);
  EXPECT_FALSE(response.keep_alive());
  EXPECT_FALSE(json::parse(response.body()).at("detail").as_string().empty());
}

TEST(WebSocketHandshake, AnAllowedOriginMatchesIgnoringCase) {
  std::vector<std::string> const allowed{"https://app.example.com", "http://localhost:8080"};
  EXPECT_FALSE(
      answer_websocket_handshake(with(http::field::origin, "http://localhost:8080"), {.allowed_origins = allowed})
          .refused);
  EXPECT_FALSE(
      answer_websocket_handshake(with(http::field::origin, "HTTPS://App.Example.com"), {.allowed_origins = allowed})
          .refused);
  EXPECT_TRUE(
      answer_websocket_handshake(with(http::field::origin, "http://localhost:8081"), {.allowed_origins = allowed})
          .refused);
  EXPECT_TRUE(answer_websocket_handshake(with(http::field::origin, "null"), {.allowed_origins = allowed}).refused);
}

TEST(WebSocketHandshake, WithoutAnAllowListOrAnOriginAnyClientMayConnect) {
  EXPECT_FALSE(answer_websocket_handshake(with(http::field::origin, "https://anywhere.example")).refused);
  std::vector<std::string> const allowed{"https://app.example.com"};
  EXPECT_FALSE(answer_websocket_handshake(valid_request(), {.allowed_origins = allowed}).refused);
}

constexpr std::string_view chromium_offer = "permessage-deflate; client_max_window_bits";
constexpr DeflateNegotiation deflate_on{.enabled = true};

TEST(WebSocketHandshake, ByDefaultAnOfferIsDeclinedAndThe101IsUnchanged) {
  auto const answer = answer_websocket_handshake(with(http::field::sec_websocket_extensions, chromium_offer));
  EXPECT_FALSE(answer.refused);
  EXPECT_FALSE(answer.deflate);
  EXPECT_EQ(answer.bytes, answer_websocket_handshake(valid_request()).bytes);
}

TEST(WebSocketHandshake, AnAcceptedOfferIsAnsweredInThe101) {
  auto const answer = answer_websocket_handshake(with(http::field::sec_websocket_extensions, chromium_offer),
                                                 {.date = "Wed, 02 Dec 2026 14:10:05 GMT", .deflate = deflate_on});
  EXPECT_FALSE(answer.refused);
  EXPECT_EQ(answer.status, http::status::switching_protocols);
  ASSERT_TRUE(answer.deflate);
  EXPECT_EQ(*answer.deflate, (DeflateParameters{.server_no_context_takeover = false,
                                                .client_no_context_takeover = true,
                                                .server_max_window_bits = 15}));
  EXPECT_EQ(answer.bytes, std::string("HTTP/1.1 101 Switching Protocols\r\n"
                                      "Upgrade: websocket\r\n"
                                      "Connection: Upgrade\r\n"
                                      "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
                                      "Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover\r\n"
                                      "Server: wshub/") +
                              version + "\r\nDate: Wed, 02 Dec 2026 14:10:05 GMT\r\n\r\n");
  EXPECT_EQ(parsed(answer.bytes).count(http::field::sec_websocket_extensions), 1U);
}

TEST(WebSocketHandshake, EveryExtensionsFieldIsReadInOrder) {
  auto request = with(http::field::sec_websocket_extensions, "x-webkit-deflate-frame");
  request.insert(http::field::sec_websocket_extensions, "permessage-deflate; server_max_window_bits=8");
  request.insert("sec-websocket-EXTENSIONS", "permessage-deflate; server_max_window_bits=10");
  request.insert(http::field::sec_websocket_extensions, "permessage-deflate");
  auto const answer = answer_websocket_handshake(request, {.deflate = deflate_on});
  ASSERT_TRUE(answer.deflate);
  EXPECT_EQ(answer.deflate->server_max_window_bits, 10);
  EXPECT_EQ(parsed(answer.bytes)[http::field::sec_websocket_extensions],
            "permessage-deflate; client_no_context_takeover; server_max_window_bits=10");
}

TEST(WebSocketHandshake, AnOddOfferIsDeclinedAndNeverRefusesTheHandshake) {
  for (auto const* offer : {"", "permessage-deflate; server_max_window_bits=8", "permessage-deflate; x=\"",
                            "permessage-deflate;;", "permessage-deflate; server_max_window_bits=99999999999999999999",
                            ",,,", "permessage-deflate; client_no_context_takeover=1"}) {
    auto const answer =
        answer_websocket_handshake(with(http::field::sec_websocket_extensions, offer), {.deflate = deflate_on});
    EXPECT_FALSE(answer.refused) << offer;
    EXPECT_EQ(answer.status, http::status::switching_protocols);
    EXPECT_FALSE(answer.deflate) << offer;
    EXPECT_EQ(parsed(answer.bytes).count(http::field::sec_websocket_extensions), 0U) << offer;
  }
}

TEST(WebSocketHandshake, ARefusedHandshakeNegotiatesNothing) {
  auto request = without(http::field::host);
  request.set(http::field::sec_websocket_extensions, chromium_offer);
  auto const answer = answer_websocket_handshake(request, {.deflate = deflate_on});
  EXPECT_TRUE(answer.refused);
  EXPECT_FALSE(answer.deflate);
  EXPECT_EQ(parsed(answer.bytes).count(http::field::sec_websocket_extensions), 0U);
}

}  // namespace
}  // namespace wshub
