// The HTTP API: GET /clients, POST /broadcast-to-all, and FastAPI-shaped errors for everything else.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "hub.hpp"
#include "metrics.hpp"
#include "net.hpp"

namespace wshub {

using HttpRequest = http::request<http::string_body>;
using HttpResponse = http::response<http::string_body>;

// Access control; an empty token leaves its routes open.
struct ApiOptions {
  std::string api_token;      // guards /clients and /broadcast-to-all
  std::string metrics_token;  // guards /metrics
};

// Turns requests into calls on the hub and back into JSON; holds no state of its own.
class HttpApi {
 public:
  // Called once with the answer: inline, or later from another thread when the cluster has to be asked.
  using Respond = std::function<void(HttpResponse)>;

  HttpApi(Hub& hub, Metrics& metrics, ApiOptions options = {})
      : hub_(hub), metrics_(metrics), options_(std::move(options)) {}

  void handle(HttpRequest const& request, Respond respond) const;

  // {"detail": "..."} with the given status, for requests that could not even be read (400, 413, 431).
  static HttpResponse error(http::status status, std::string_view detail, unsigned http_version);

 private:
  void route(HttpRequest const& request, Respond const& respond) const;
  void list_clients(HttpRequest const& request, Respond const& respond) const;
  void broadcast(HttpRequest const& request, Respond const& respond) const;
  HttpResponse readiness(HttpRequest const& request) const;
  HttpResponse metrics(HttpRequest const& request) const;
  // Calls answer() if the request carries the token (or none is configured), else answers 401.
  template <typename Answer>
  void guarded(HttpRequest const& request, std::string const& token, Respond const& respond, Answer answer) const;

  Hub& hub_;
  Metrics& metrics_;
  ApiOptions options_;
};

}  // namespace wshub
