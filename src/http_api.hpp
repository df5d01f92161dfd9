// The HTTP API: GET /clients, POST /broadcast-to-all, and FastAPI-shaped errors for everything else.
#pragma once

#include <string_view>

#include "hub.hpp"
#include "net.hpp"

namespace wshub {

using HttpRequest = http::request<http::string_body>;
using HttpResponse = http::response<http::string_body>;

// Turns requests into calls on the hub and back into JSON; holds no state of its own.
class HttpApi {
 public:
  explicit HttpApi(Hub& hub) : hub_(hub) {}

  HttpResponse handle(HttpRequest const& request) const;

  // {"detail": "..."} with the given status, for requests that could not even be read (400, 413, 431).
  static HttpResponse error(http::status status, std::string_view detail, unsigned http_version);

 private:
  HttpResponse list_clients(HttpRequest const& request) const;
  HttpResponse broadcast(HttpRequest const& request) const;

  Hub& hub_;
};

}  // namespace wshub
