// The routes that reach one client or a list of them, wherever in the cluster they are connected:
// POST /clients/{clientId}/send, POST /send-to-clients, DELETE /clients/{clientId}, GET /clients/{clientId}.
#pragma once

#include <string_view>

#include "async/completion.hpp"
#include "hub/hub.hpp"
#include "ops/metrics.hpp"
#include "protocol/http_message.hpp"

namespace wshub {

// Validates as FastAPI does (422 with pydantic 1's entries), calls the hub, answers in FastAPI's shapes; the answer
// goes to respond, never inside the call (as HttpApi::Respond).
class ClientRoutes {
 public:
  using Respond = Completion<void(HttpResponse)>;

  ClientRoutes(Hub& hub, Metrics& metrics) : hub_(hub), metrics_(metrics) {}

  // id_segment: the path segment naming the client, as sent.
  void send_to_client(HttpRequest const& request, std::string_view id_segment, Respond respond) const;
  void send_to_clients(HttpRequest const& request, Respond respond) const;
  void disconnect(HttpRequest const& request, std::string_view id_segment, Respond respond) const;
  void locate(HttpRequest const& request, std::string_view id_segment, Respond respond) const;

 private:
  Hub& hub_;
  Metrics& metrics_;
};

}  // namespace wshub
