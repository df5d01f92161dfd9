// The HTTP API on a single node's hub, driven without sockets: what the API's unit tests share.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include "http/http_api.hpp"
#include "hub/local_backplane.hpp"

namespace wshub::testing {

// A connected client that keeps what it was sent and how it was closed.
class RecordingClient final : public HubClient {
 public:
  void deliver(SharedFrame frame) override { delivered.emplace_back(frame.payload()); }
  void close(CloseCode code, std::string reason) override { closes.emplace_back(code, std::move(reason)); }
  std::vector<std::string> delivered;
  std::vector<std::pair<CloseCode, std::string>> closes;
};

class ApiFixture : public ::testing::Test {
 protected:
  HttpResponse request(http::verb method, std::string_view target, std::string body = {}, unsigned version = 11) {
    HttpRequest request{method, target, version};
    request.body() = std::move(body);
    request.prepare_payload();
    return answer(api_, request);
  }

  static boost::json::value body_of(HttpResponse const& response) {
    EXPECT_EQ(response[http::field::content_type], "application/json");
    return boost::json::parse(response.body());
  }

  // The API answers on the connection's executor, never inside handle().
  HttpResponse answer(HttpApi const& api, HttpRequest const& request) {
    std::optional<HttpResponse> response;
    api.handle(request,
               asio::bind_executor(connection_, [&response](HttpResponse answer) { response = std::move(answer); }));
    EXPECT_FALSE(response.has_value()) << "answered inside handle()";
    connection_.restart();
    connection_.run();
    EXPECT_TRUE(response.has_value());
    return response.value_or(HttpResponse{});
  }

  asio::io_context connection_;
  LocalBackplane backplane_{connection_.get_executor()};
  Hub hub_{backplane_};
  Metrics metrics_;
  HttpApi api_{hub_, metrics_};
};

}  // namespace wshub::testing
