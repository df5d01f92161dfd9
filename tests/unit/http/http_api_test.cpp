// Tests the HTTP API's routes, JSON bodies and FastAPI-shaped errors, without sockets.
#include "http/http_api.hpp"

#include "api_fixture.hpp"
#include "http/live_page.hpp"

namespace wshub {
namespace {

namespace json = boost::json;

using testing::RecordingClient;

class HttpApiTest : public testing::ApiFixture {};

// The same API with both tokens set.
class GuardedHttpApiTest : public HttpApiTest {
 protected:
  HttpResponse request_with(std::string_view target, std::string_view authorization) {
    HttpRequest request{http::verb::get, target, 11};
    if (!authorization.empty()) request.set(http::field::authorization, authorization);
    return answer(guarded_api_, request);
  }

  HttpApi guarded_api_{hub_, metrics_, {.api_token = "s3cret", .metrics_token = "scrape-me"}};
};

TEST_F(HttpApiTest, ListsClientsInConnectionOrder) {
  hub_.join(3, std::make_shared<RecordingClient>(), [](JoinOutcome) {});
  hub_.join(-1, std::make_shared<RecordingClient>(), [](JoinOutcome) {});
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
  hub_.join(1, a, [](JoinOutcome) {});
  hub_.join(2, b, [](JoinOutcome) {});
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

TEST_F(HttpApiTest, ARouteWithATrailingSlashIsRedirected307ToTheRouteAsFastApiDoes) {
  HttpRequest made_up_host{http::verb::get, "/clients/", 11};
  made_up_host.set(http::field::host, "evil.example.com");
  auto const response = answer(api_, made_up_host);
  EXPECT_EQ(response.result(), http::status::temporary_redirect);
  EXPECT_EQ(response[http::field::location], "/clients");
  EXPECT_EQ(response.body(), "");
  EXPECT_EQ(response[http::field::content_length], "0");
  EXPECT_EQ(response.count(http::field::content_type), 0u);
  EXPECT_TRUE(response.keep_alive());
}

TEST_F(HttpApiTest, TheRedirectKeepsTheQueryAndTheMethodAndTakesEveryTrailingSlash) {
  auto const post = request(http::verb::post, "/broadcast-to-all//?x=1&y=%2F");
  EXPECT_EQ(post.result(), http::status::temporary_redirect);
  EXPECT_EQ(post[http::field::location], "/broadcast-to-all?x=1&y=%2F");
  EXPECT_EQ(request(http::verb::get, "/healthz/")[http::field::location], "/healthz");
  EXPECT_EQ(request(http::verb::get, "/openapi.json/")[http::field::location], "/openapi.json");
  EXPECT_EQ(request(http::verb::get, "/docs/")[http::field::location], "/docs");
}

TEST_F(HttpApiTest, OnlyARouteIsRedirectedTo) {
  EXPECT_EQ(request(http::verb::get, "/nope/").result(), http::status::not_found);
  EXPECT_EQ(request(http::verb::get, "//").result(), http::status::not_found);
  EXPECT_EQ(request(http::verb::get, "/clients/7/x").result(), http::status::not_found);
  EXPECT_EQ(request(http::verb::get, "/ws/7/").result(), http::status::upgrade_required);
  HttpApi const without_docs{hub_, metrics_, {.api_token = "", .metrics_token = "", .docs_url = ""}};
  EXPECT_EQ(answer(without_docs, HttpRequest{http::verb::get, "/docs/", 11}).result(), http::status::not_found);
}

TEST_F(HttpApiTest, ADocsPathEndingInASlashIsReachedWithoutIt) {
  HttpApi const slashed{hub_, metrics_, {.api_token = "", .metrics_token = "", .docs_url = "/api/docs/"}};
  auto const response = answer(slashed, HttpRequest{http::verb::get, "/api/docs", 11});
  EXPECT_EQ(response.result(), http::status::temporary_redirect);
  EXPECT_EQ(response[http::field::location], "/api/docs/");
}

TEST_F(GuardedHttpApiTest, TheRedirectComesBeforeTheToken) {
  auto const response = request_with("/clients/", "");
  EXPECT_EQ(response.result(), http::status::temporary_redirect);
  EXPECT_EQ(request_with("/clients", "").result(), http::status::unauthorized);
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
  EXPECT_FALSE(answer(api_, closing).keep_alive());
}

TEST_F(HttpApiTest, ErrorsForUnreadableRequestsAreJsonAndClose) {
  auto const response = error_response(http::status::payload_too_large, "too big", 11);
  EXPECT_EQ(response.result(), http::status::payload_too_large);
  EXPECT_EQ(body_of(response), json::parse(R"({"detail":"too big"})"));
  EXPECT_FALSE(response.keep_alive());
}

TEST_F(HttpApiTest, HealthzIsOkWhileTheProcessServes) {
  auto const response = request(http::verb::get, "/healthz");
  EXPECT_EQ(response.result(), http::status::ok);
  EXPECT_EQ(body_of(response), json::parse(R"({"status":"ok"})"));
}

TEST_F(HttpApiTest, ReadyzTurns503WhenTheHubStopsAdmitting) {
  auto const ready = request(http::verb::get, "/readyz");
  EXPECT_EQ(ready.result(), http::status::ok);
  EXPECT_EQ(body_of(ready), json::parse(R"({"status":"ready"})"));
  hub_.stop_admitting();
  auto const draining = request(http::verb::get, "/readyz");
  EXPECT_EQ(draining.result(), http::status::service_unavailable);
  EXPECT_EQ(body_of(draining), json::parse(R"({"status":"shutting down"})"));
}

TEST_F(HttpApiTest, MetricsAreTextExpositionWithTheHubsFigures) {
  hub_.join(1, std::make_shared<RecordingClient>(), [](JoinOutcome) {});
  request(http::verb::post, "/broadcast-to-all", R"({"message":"hi"})");
  auto const response = request(http::verb::get, "/metrics");
  EXPECT_EQ(response.result(), http::status::ok);
  EXPECT_EQ(response[http::field::content_type], "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(response.body().find("\nwshub_connected_clients 1\n"), std::string::npos) << response.body();
  EXPECT_NE(response.body().find("\nwshub_broadcasts_total 1\n"), std::string::npos);
  EXPECT_NE(response.body().find("\nwshub_broadcast_deliveries_total 1\n"), std::string::npos);
  EXPECT_NE(response.body().find("\nwshub_shutdown_in_progress 0\n"), std::string::npos);
  EXPECT_NE(response.body().find("\nwshub_http_requests_total 2\n"), std::string::npos);
}

TEST_F(GuardedHttpApiTest, TheApiWantsTheApiTokenAndSaysHow) {
  auto const missing = request_with("/clients", "");
  EXPECT_EQ(missing.result(), http::status::unauthorized);
  EXPECT_EQ(missing[http::field::www_authenticate], R"(Bearer realm="wshub")");
  EXPECT_EQ(body_of(missing), json::parse(R"({"detail":"Not authenticated"})"));
  auto const wrong = request_with("/clients", "Bearer s3cre");
  EXPECT_EQ(wrong.result(), http::status::unauthorized);
  EXPECT_EQ(wrong[http::field::www_authenticate], R"(Bearer realm="wshub", error="invalid_token")");
  EXPECT_EQ(request_with("/clients", "Basic s3cret").result(), http::status::unauthorized);
  EXPECT_EQ(request_with("/clients", "Bearer scrape-me").result(), http::status::unauthorized);
  EXPECT_EQ(request_with("/clients", "bearer s3cret").result(), http::status::ok);
  EXPECT_EQ(metrics_.total(Counter::http_rejected_unauthorized), 4U);
}

TEST_F(GuardedHttpApiTest, BroadcastWantsTheApiTokenToo) {
  HttpRequest post{http::verb::post, "/broadcast-to-all", 11};
  post.body() = R"({"message":"hi"})";
  post.prepare_payload();
  EXPECT_EQ(answer(guarded_api_, post).result(), http::status::unauthorized);
  post.set(http::field::authorization, "Bearer s3cret");
  EXPECT_EQ(answer(guarded_api_, post).result(), http::status::ok);
}

TEST_F(GuardedHttpApiTest, MetricsWantTheMetricsTokenWhileHealthAndReadinessStayOpen) {
  EXPECT_EQ(request_with("/metrics", "").result(), http::status::unauthorized);
  EXPECT_EQ(request_with("/metrics", "Bearer s3cret").result(), http::status::unauthorized);
  EXPECT_EQ(request_with("/metrics", "Bearer scrape-me").result(), http::status::ok);
  EXPECT_EQ(request_with("/healthz", "").result(), http::status::ok);
  EXPECT_EQ(request_with("/readyz", "").result(), http::status::ok);
}

TEST_F(HttpApiTest, ServesTheLivePageUnderItsPolicy) {
  HttpRequest page_request{http::verb::get, "/", 11};
  page_request.set(http::field::host, "hub.example:8000");
  auto const response = answer(api_, page_request);
  EXPECT_EQ(response.result(), http::status::ok);
  EXPECT_EQ(response[http::field::content_type], "text/html; charset=utf-8");
  EXPECT_EQ(response.body(), live_page());
  EXPECT_EQ(response["Content-Security-Policy"], live_page_security_policy("hub.example:8000"));
  EXPECT_EQ(response["X-Content-Type-Options"], "nosniff");
}

TEST_F(HttpApiTest, ServesTheApiDocumentAndTheDocsPage) {
  auto const document = request(http::verb::get, "/openapi.json");
  EXPECT_EQ(document.result(), http::status::ok);
  EXPECT_EQ(body_of(document).at("openapi"), "3.0.2");
  auto const docs = request(http::verb::get, "/docs");
  EXPECT_EQ(docs.result(), http::status::ok);
  EXPECT_EQ(docs[http::field::content_type], "text/html; charset=utf-8");
  EXPECT_NE(docs.body().find("url: '/openapi.json',"), std::string::npos);
}

TEST_F(HttpApiTest, ThePagesAnswerOnlyGet) {
  for (auto const target : {"/", "/openapi.json", "/docs"}) {
    auto const response = request(http::verb::post, target);
    EXPECT_EQ(response.result(), http::status::method_not_allowed) << target;
    EXPECT_EQ(response[http::field::allow], "GET") << target;
  }
}

TEST_F(HttpApiTest, TheDocsPageMovesOrIsGone) {
  HttpApi const moved{hub_, metrics_, {.api_token = "", .metrics_token = "", .docs_url = "/api/docs"}};
  HttpApi const gone{hub_, metrics_, {.api_token = "", .metrics_token = "", .docs_url = ""}};
  auto const get = [this](HttpApi const& api, std::string_view target) {
    return answer(api, HttpRequest{http::verb::get, target, 11}).result();
  };
  EXPECT_EQ(get(moved, "/api/docs"), http::status::ok);
  EXPECT_EQ(get(moved, "/docs"), http::status::not_found);
  EXPECT_EQ(get(gone, "/docs"), http::status::not_found);
  EXPECT_EQ(get(gone, "/openapi.json"), http::status::ok);
}

}  // namespace
}  // namespace wshub
