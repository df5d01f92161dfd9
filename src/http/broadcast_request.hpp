// The body of POST /broadcast-to-all (and of POST /clients/{clientId}/send), validated the way FastAPI (pydantic 1)
// validates {"message": str}.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <boost/json/array.hpp>

namespace wshub {

// The message to send, or the list of errors for a 422 {"detail": [...]} response.
struct BroadcastRequest {
  std::optional<std::string> message;
  boost::json::array errors;
};

BroadcastRequest parse_broadcast_request(std::string_view body);

}  // namespace wshub
