// The body of POST /send-to-clients, validated the way FastAPI (pydantic 1) validates
// {"clients": conlist(int, max_items=10000), "message": str}.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/array.hpp>

#include "hub/client_id.hpp"

namespace wshub {

// The most ids one request may list.
inline constexpr std::size_t max_send_to_clients = 10'000;

struct SendToClients {
  std::vector<ClientId> ids;  // as listed, repeats and all
  std::string message;
};

// The request, or the list of errors for a 422 {"detail": [...]} response (every field's, as pydantic reports).
struct SendToClientsRequest {
  std::optional<SendToClients> send;
  boost::json::array errors;
};

SendToClientsRequest parse_send_to_clients_request(std::string_view body);

}  // namespace wshub
