// Tests the HTTP API's routes, JSON bodies and FastAPI-shaped errors, without sockets.
#include "http_api.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

namespace wshub {
namespace {

namespace json = boost::json;

class RecordingClient final : public HubClient {
 public:
  void deliver(SharedFrame frame) override { delivered.emplace_back(frame.payload()); }
  void close(CloseCode, std::string) override {}
  std::vector<std::string> delivered;
};

class HttpApiTest : public ::testing::Test {
 protected:
  HttpResponse request(http::verb method, std::string_view target, std::string body = {}, unsigned version = 11) {
    HttpRequest request{method, target, version};
    request.body() = std::move(body);
    request.prepare_payload();
    return api_.handle(request);
  }

  static json::value body_of(HttpResponse const& response) {
    EXPECT_EQ(response[http::field::content_type], "application/json");
    return json::parse(response.body());
  }

  Hub hub_;
  HttpApi api_{hub_};
};

TEST_F(HttpApiTest, ListsClientsInConnectionOrder) {
  hub_.join(3, std::make_shared<RecordingClient>());
  hub_.join(-1, std::make_shared<RecordingClient>());
  auto const response = request(http::verb::get, "/clients");
  EXPECT_EQ(response.result(), http::status::ok);
  EXPECT_EQ(body_of(response), json::parse(R"({"clients":[3,-1]})"));
}

TEST_F(HttpApiTest, IgnoresTheQueryString) {
  EXPECT_EQ(request(http::verb::get, "/clients?verbose=1").result(), http::status::ok);
}

TEST_F(HttpApiTest, BroadcastsToEveryClientAndCountsThem) {
  auto a = std::make_shared<RecordingClient>();
  auto b = std::make_shared<RecordingClient>();
  hub_.join(1, a);
  hub_.join(2, b);
  auto const response = request(http::verb::post, "/broadcast-to-all", R"({"message":"Hello, clients!"})");
  EXPECT_EQ(response.result(), http::status::ok);
  EXPECT_EQ(body_of(response), json::parse(R"({"sent":2})"));
  EXPECT_EQ(a->delivered, std::vector<std::string>{"Hello, clients!"});
  EXPECT_EQ(b->delivered, std::vector<std::string>{"Hello, clients!"});
}

TEST_F(HttpApiTest, AnInvalidBroadcastIs422WithADetailList) {
  auto const response = request(http::verb::post, "/broadcast-to-all", R"({"message":1})");
  EXPECT_EQ(response.result(), http::status::unprocessable_entity);
  EXPECT_EQ(body_of(response).at("detail").at(0).at("type"), "type_error.str");
}

TEST_F(HttpApiTest, UnknownPathsAre404) {
  auto const response = request(http::verb::get, "/nope");
  EXPECT_EQ(response.result(), http::status::not_found);
  EXPECT_EQ(body_of(response), json::parse(R"({"detail":"Not Found"})"));
}

TEST_F(HttpApiTest, WrongMethodsAre405WithAllow) {
  auto const post_clients = request(http::verb::post, "/clients");
  EXPECT_EQ(post_clients.result(), http::status::method_not_allowed);
  EXPECT_EQ(post_clients[http::field::allow], "GET");
  EXPECT_EQ(body_of(post_clients), json::parse(R"({"detail":"Method Not Allowed"})"));
  auto const get_broadcast = request(http::verb::get, "/broadcast-to-all");
  EXPECT_EQ(get_broadcast.result(), http::status::method_not_allowed);
  EXPECT_EQ(get_broadcast[http::field::allow], "POST");
}

TEST_F(HttpApiTest, PlainRequestsToTheWebSocketRouteAre426) {
  auto const response = request(http::verb::get, "/ws/1");
  EXPECT_EQ(response.result(), http::status::upgrade_required);
  EXPECT_EQ(response[http::field::upgrade], "websocket");
  EXPECT_TRUE(body_of(response).at("detail").is_string());
}

TEST_F(HttpApiTest, KeepAliveFollowsTheRequest) {
  EXPECT_TRUE(request(http::verb::get, "/clients").keep_alive());
  EXPECT_FALSE(request(http::verb::get, "/clients", {}, 10).keep_alive());
  HttpRequest closing{http::verb::get, "/clients", 11};
  closing.set(http::field::connection, "close");
  EXPECT_FALSE(api_.handle(closing).keep_alive());
}

TEST_F(HttpApiTest, ErrorsForUnreadableRequestsAreJsonAndClose) {
  auto const response = HttpApi::error(http::status::payload_too_large, "too big", 11);
  EXPECT_EQ(response.result(), http::status::payload_too_large);
  EXPECT_EQ(body_of(response), json::parse(R"({"detail":"too big"})"));
  EXPECT_FALSE(response.keep_alive());
}

}  // namespace
}  // namespace wshub
