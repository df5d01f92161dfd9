// The HTTP API: GET /clients, POST /broadcast-to-all, the routes that reach one client, the operations routes, the
// pages (/, /openapi.json, /docs), and FastAPI-shaped errors for everything else.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <boost/beast/http/verb.hpp>

#include "async/completion.hpp"
#include "http/client_routes.hpp"
#include "hub/hub.hpp"
#include "ops/metrics.hpp"
#include "protocol/http_message.hpp"
#include "protocol/routes.hpp"

namespace wshub {

// Access control (an empty token leaves its routes open) and where the Swagger UI page is.
struct ApiOptions {
  std::string api_token;                                     // guards the routes that list and reach clients
  std::string metrics_token;                                 // guards /metrics
  std::string docs_url = std::string(routes::default_docs);  // empty: no Swagger UI page
};

// Turns requests into calls on the hub and back into JSON; holds no state of its own but the pages it serves,
// made once.
class HttpApi {
 public:
  // Called once with the answer, never inside handle(): on its associated executor, as Asio's own operations
  // complete (the API answers most requests at once, and a cluster's answers come from another thread).
  using Respond = Completion<void(HttpResponse)>;

  HttpApi(Hub& hub, Metrics& metrics, ApiOptions options = {});

  void handle(HttpRequest const& request, Respond respond) const;

 private:
  void route(HttpRequest const& request, Respond respond) const;
  // The routes under /clients/{clientId}; false if the path is none of them.
  bool route_to_client(HttpRequest const& request, std::string_view path, Respond& respond) const;
  // The pages for people and generators (/, /openapi.json, the Swagger UI); nullopt for any other path.
  std::optional<HttpResponse> page(HttpRequest const& request, std::string_view path) const;
  // Where a path no route takes is sent instead (see slash_redirect in http_api.cpp); nullopt for nowhere.
  std::optional<std::string> slash_redirect(HttpRequest const& request, std::string_view path) const;
  void list_clients(HttpRequest const& request, Respond respond) const;
  void broadcast(HttpRequest const& request, Respond respond) const;
  HttpResponse readiness(HttpRequest const& request) const;
  HttpResponse metrics(HttpRequest const& request) const;
  // Calls answer() if the request carries the token (or none is configured), else answers 401.
  template <typename Answer>
  void guarded(HttpRequest const& request, std::string const& token, Respond& respond, Answer answer) const;
  // The same for a route that takes one method only: any other is answered 405 with Allow first.
  template <typename Answer>
  void guarded_as(http::verb method, HttpRequest const& request, std::string const& token, Respond& respond,
                  Answer answer) const;

  Hub& hub_;
  Metrics& metrics_;
  ClientRoutes client_routes_;
  ApiOptions options_;
  std::string api_document_;
  std::string swagger_ui_page_;
};

}  // namespace wshub
