// Tests the routes that reach one client or a list of them through the HTTP API and a single node's hub: their
// answers, FastAPI's 404, 405 and 422 shapes, the trailing-slash redirects, and which paths they take.
#include "http/client_routes.hpp"

#include <algorithm>

#include "api_fixture.hpp"
#include "protocol/routes.hpp"

namespace wshub {
namespace {

namespace json = boost::json;

using testing::RecordingClient;

json::value const not_connected = json::parse(R"({"detail":"Client not connected"})");
json::value const id_not_an_integer =
    json::parse(R"({"loc":["path","clientId"],"msg":"value is not a valid integer","type":"type_error.integer"})");

class ClientRoutesTest : public testing::ApiFixture {
 protected:
  void SetUp() override { backplane_.start("node-x"); }

  std::shared_ptr<RecordingClient> joined(ClientId id) {
    auto client = std::make_shared<RecordingClient>();
    EXPECT_EQ(hub_.join(id, client, [](JoinOutcome) {}), JoinOutcome::joined);
    return client;
  }
};

TEST_F(ClientRoutesTest, ASendToAConnectedClientDeliversTheTextAndSaysSo) {
  auto const client = joined(7);
  auto const response = request(http::verb::post, "/clients/7/send", R"({"message":"just you"})");
  EXPECT_EQ(response.result(), http::status::ok);
  EXPECT_EQ(body_of(response), json::parse(R"({"sent":1})"));
  EXPECT_EQ(client->delivered, std::vector<std::string>{"just you"});
  EXPECT_EQ(metrics_.total(Counter::sends), 1U);
  EXPECT_EQ(metrics_.total(Counter::send_deliveries), 1U);
}

TEST_F(ClientRoutesTest, ASendToAPercentEncodedIdReachesThatId) {
  auto const client = joined(-12);
  EXPECT_EQ(request(http::verb::post, "/clients/%2D1%32/send", R"({"message":"m"})").result(), http::status::ok);
  EXPECT_EQ(client->delivered, std::vector<std::string>{"m"});
}

TEST_F(ClientRoutesTest, ASendToAClientNotConnectedIs404) {
  joined(7);
  auto const response = request(http::verb::post, "/clients/8/send", R"({"message":"anyone?"})");
  EXPECT_EQ(response.result(), http::status::not_found);
  EXPECT_EQ(body_of(response), not_connected);
  EXPECT_EQ(metrics_.total(Counter::sends), 1U);
  EXPECT_EQ(metrics_.total(Counter::send_deliveries), 0U);
}

TEST_F(ClientRoutesTest, ABadIdAndABadBodyAreOne422PathFirst) {
  auto const client = joined(7);
  auto const response = request(http::verb::post, "/clients/seven/send", R"({"message":5})");
  EXPECT_EQ(response.result(), http::status::unprocessable_entity);
  json::array const expected{
      id_not_an_integer,
      json::parse(R"({"loc":["body","message"],"msg":"str type expected","type":"type_error.str"})")};
  EXPECT_EQ(body_of(response), (json::object{{"detail", expected}}));
  auto const unparsed = body_of(request(http::verb::post, "/clients/x/send", "{oops"));
  ASSERT_EQ(unparsed.at("detail").as_array().size(), 2U);
  EXPECT_EQ(unparsed.at("detail").at(0), id_not_an_integer);
  EXPECT_EQ(unparsed.at("detail").at(1).at("type"), "value_error.jsondecode");
  EXPECT_TRUE(client->delivered.empty());
  EXPECT_EQ(metrics_.total(Counter::sends), 0U);
}

TEST_F(ClientRoutesTest, AGoodIdWithABadBodyIs422ForTheBodyAlone) {
  joined(7);
  auto const response = request(http::verb::post, "/clients/7/send", "");
  EXPECT_EQ(response.result(), http::status::unprocessable_entity);
  EXPECT_EQ(body_of(response),
            json::parse(R"({"detail":[{"loc":["body"],"msg":"field required","type":"value_error.missing"}]})"));
}

TEST_F(ClientRoutesTest, SendToClientsCountsEachConnectedIdOnceAndListsTheMissingInOrder) {
  auto const a = joined(1);
  auto const b = joined(2);
  auto const response =
      request(http::verb::post, "/send-to-clients", R"({"clients":[9,2,1,9,2,-4],"message":"some of you"})");
  EXPECT_EQ(response.result(), http::status::ok);
  EXPECT_EQ(body_of(response), json::parse(R"({"sent":2,"missing":[9,-4]})"));
  EXPECT_EQ(a->delivered, std::vector<std::string>{"some of you"});
  EXPECT_EQ(b->delivered, std::vector<std::string>{"some of you"});
  EXPECT_EQ(metrics_.total(Counter::send_deliveries), 2U);
}

TEST_F(ClientRoutesTest, SendToClientsWithNobodyConnectedIs200WithEveryIdMissing) {
  auto const response = request(http::verb::post, "/send-to-clients", R"({"clients":[3,3],"message":"x"})");
  EXPECT_EQ(response.result(), http::status::ok);
  EXPECT_EQ(body_of(response), json::parse(R"({"sent":0,"missing":[3]})"));
}

TEST_F(ClientRoutesTest, SendToClientsWithBadFieldsIs422WithEachOfThem) {
  auto const response = request(http::verb::post, "/send-to-clients", R"({"clients":[1,"x"]})");
  EXPECT_EQ(response.result(), http::status::unprocessable_entity);
  EXPECT_EQ(
      body_of(response),
      json::parse(R"({"detail":[)"
                  R"({"loc":["body","clients",1],"msg":"value is not a valid integer","type":"type_error.integer"},)"
                  R"({"loc":["body","message"],"msg":"field required","type":"value_error.missing"}]})"));
}

TEST_F(ClientRoutesTest, DeleteClosesTheClientWithTheCodeAndReasonGiven) {
  auto const client = joined(7);
  auto const response = request(http::verb::delete_, "/clients/7?code=4000&reason=see+you");
  EXPECT_EQ(response.result(), http::status::ok);
  EXPECT_EQ(body_of(response), json::parse(R"({"closed":1})"));
  ASSERT_EQ(client->closes.size(), 1U);
  EXPECT_EQ(client->closes.front(), std::make_pair(static_cast<CloseCode>(4000), std::string("see you")));
  EXPECT_EQ(metrics_.total(Counter::disconnect_requests), 1U);
}

TEST_F(ClientRoutesTest, DeleteWithoutParametersClosesNormallySayingTheServerDidIt) {
  auto const client = joined(7);
  EXPECT_EQ(request(http::verb::delete_, "/clients/7").result(), http::status::ok);
  ASSERT_EQ(client->closes.size(), 1U);
  EXPECT_EQ(client->closes.front(), std::make_pair(CloseCode::normal, std::string("closed by the server")));
}

TEST_F(ClientRoutesTest, DeleteOfAClientNotConnectedIs404) {
  auto const response = request(http::verb::delete_, "/clients/7");
  EXPECT_EQ(response.result(), http::status::not_found);
  EXPECT_EQ(body_of(response), not_connected);
  EXPECT_EQ(metrics_.total(Counter::disconnect_requests), 0U);
}

TEST_F(ClientRoutesTest, DeleteWithABadIdAndBadParametersIsOne422PathFirst) {
  auto const client = joined(7);
  auto const response = request(http::verb::delete_, "/clients/x?code=1001&reason=%FF");
  EXPECT_EQ(response.result(), http::status::unprocessable_entity);
  auto const detail = body_of(response).at("detail").as_array();
  ASSERT_EQ(detail.size(), 3U);
  EXPECT_EQ(detail[0], id_not_an_integer);
  EXPECT_EQ(detail[1].at("loc"), json::parse(R"(["query","code"])"));
  EXPECT_EQ(detail[2].at("loc"), json::parse(R"(["query","reason"])"));
  auto const query_only = body_of(request(http::verb::delete_, "/clients/7?code=abc")).at("detail").as_array();
  ASSERT_EQ(query_only.size(), 1U);
  EXPECT_EQ(query_only[0].at("type"), "type_error.integer");
  EXPECT_TRUE(client->closes.empty());
}

TEST_F(ClientRoutesTest, GetTellsWhenAndWhereTheClientConnected) {
  joined(7);
  auto const response = request(http::verb::get, "/clients/7");
  EXPECT_EQ(response.result(), http::status::ok);
  auto const body = body_of(response);
  EXPECT_EQ(body.at("id"), 7);
  EXPECT_EQ(body.at("node"), "node-x");
  // Its shape, every digit written as 'd' (not std::regex: GCC 12 warns inside <regex> at -O1 with the sanitizers).
  std::string shape(body.at("connected_at").as_string());
  std::ranges::replace_if(
      shape, [](char c) { return c >= '0' && c <= '9'; }, 'd');
  EXPECT_EQ(shape, "dddd-dd-ddTdd:dd:dd.ddddddZ");
}

TEST_F(ClientRoutesTest, GetOfAClientNotConnectedIs404AndOfABadIdIs422) {
  auto const missing = request(http::verb::get, "/clients/7");
  EXPECT_EQ(missing.result(), http::status::not_found);
  EXPECT_EQ(body_of(missing), not_connected);
  auto const bad = request(http::verb::get, "/clients/1.5");
  EXPECT_EQ(bad.result(), http::status::unprocessable_entity);
  EXPECT_EQ(body_of(bad), (json::object{{"detail", json::array{id_not_an_integer}}}));
}

TEST_F(ClientRoutesTest, WrongMethodsAre405WithTheRoutesAllow) {
  auto const get_send = request(http::verb::get, "/clients/7/send");
  EXPECT_EQ(get_send.result(), http::status::method_not_allowed);
  EXPECT_EQ(get_send[http::field::allow], "POST");
  EXPECT_EQ(body_of(get_send), json::parse(R"({"detail":"Method Not Allowed"})"));
  auto const post_client = request(http::verb::post, "/clients/7", R"({"message":"m"})");
  EXPECT_EQ(post_client.result(), http::status::method_not_allowed);
  EXPECT_EQ(post_client[http::field::allow], "GET, DELETE");
  auto const get_send_to_clients = request(http::verb::get, "/send-to-clients");
  EXPECT_EQ(get_send_to_clients.result(), http::status::method_not_allowed);
  EXPECT_EQ(get_send_to_clients[http::field::allow], "POST");
  // The method is checked before the id, as Starlette matches the route before FastAPI validates.
  EXPECT_EQ(request(http::verb::put, "/clients/x")[http::field::allow], "GET, DELETE");
}

TEST_F(ClientRoutesTest, ATrailingSlashIsRedirected307ToTheRouteWithItsQuery) {
  auto const client = request(http::verb::delete_, "/clients/7/?code=4000");
  EXPECT_EQ(client.result(), http::status::temporary_redirect);
  EXPECT_EQ(client[http::field::location], "/clients/7?code=4000");
  auto const send = request(http::verb::post, "/clients/7/send/", R"({"message":"m"})");
  EXPECT_EQ(send.result(), http::status::temporary_redirect);
  EXPECT_EQ(send[http::field::location], "/clients/7/send");
  EXPECT_EQ(request(http::verb::post, "/send-to-clients/")[http::field::location], "/send-to-clients");
}

TEST_F(ClientRoutesTest, PathsThatNameNoClientRouteAre404OrTheListsRedirect) {
  EXPECT_EQ(request(http::verb::get, "/clients/7/x").result(), http::status::not_found);
  EXPECT_EQ(request(http::verb::post, "/clients//send").result(), http::status::not_found);
  EXPECT_EQ(request(http::verb::post, "/clients/7/8/send").result(), http::status::not_found);
  EXPECT_EQ(request(http::verb::get, "/clients/")[http::field::location], "/clients");
}

TEST_F(ClientRoutesTest, SendAloneIsAnIdNotTheSendRoute) {
  auto const response = request(http::verb::get, "/clients/send");
  EXPECT_EQ(response.result(), http::status::unprocessable_entity);
  EXPECT_EQ(body_of(response), (json::object{{"detail", json::array{id_not_an_integer}}}));
  EXPECT_EQ(request(http::verb::post, "/clients/send")[http::field::allow], "GET, DELETE");
}

TEST_F(ClientRoutesTest, TheClientRoutesWantTheApiToken) {
  HttpApi const guarded{hub_, metrics_, {.api_token = "s3cret", .metrics_token = "", .docs_url = ""}};
  auto const client = joined(7);
  for (auto const& [method, target] :
       {std::pair{http::verb::post, "/clients/7/send"}, std::pair{http::verb::post, "/send-to-clients"},
        std::pair{http::verb::delete_, "/clients/7"}, std::pair{http::verb::get, "/clients/x"}}) {
    HttpRequest request{method, target, 11};
    request.body() = R"({"clients":[7],"message":"m"})";
    request.prepare_payload();
    EXPECT_EQ(answer(guarded, request).result(), http::status::unauthorized) << target;
    request.set(http::field::authorization, "Bearer s3cret");
    EXPECT_NE(answer(guarded, request).result(), http::status::unauthorized) << target;
  }
  EXPECT_EQ(client->delivered.size(), 2U);
  EXPECT_EQ(client->closes.size(), 1U);
}

TEST(ClientRoute, NamesTheIdSegmentAndWhetherItIsTheSendRoute) {
  auto const get = routes::client_route("/clients/7");
  ASSERT_TRUE(get.has_value());
  EXPECT_EQ(get->id_segment, "7");
  EXPECT_FALSE(get->send);
  auto const send = routes::client_route("/clients/%2D3/send");
  ASSERT_TRUE(send.has_value());
  EXPECT_EQ(send->id_segment, "%2D3");
  EXPECT_TRUE(send->send);
  auto const named_send = routes::client_route("/clients/send");
  ASSERT_TRUE(named_send.has_value());
  EXPECT_EQ(named_send->id_segment, "send");
  EXPECT_FALSE(named_send->send);
  auto const send_send = routes::client_route("/clients/send/send");
  ASSERT_TRUE(send_send.has_value());
  EXPECT_EQ(send_send->id_segment, "send");
  EXPECT_TRUE(send_send->send);
}

TEST(ClientRoute, TakesNoPathWithoutExactlyOneNonEmptySegment) {
  for (std::string_view const path : {"/clients", "/clients/", "/clients//send", "/clients/7/", "/clients/7/x",
                                      "/clients/7/send/", "/clients/7/8", "/clients/7/8/send", "/client/7", "/ws/7"}) {
    EXPECT_FALSE(routes::client_route(path).has_value()) << path;
  }
  EXPECT_TRUE(routes::is_fixed("/clients/7"));
  EXPECT_FALSE(routes::is_fixed("/clients/7/x"));
}

}  // namespace
}  // namespace wshub
