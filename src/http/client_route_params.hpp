// The parameters of the /clients/{clientId} routes: the id in the path, and DELETE's code and reason in the query,
// validated as FastAPI validates them, with its 422 entries.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <boost/json/array.hpp>

#include "hub/client_id.hpp"
#include "protocol/close_code.hpp"

namespace wshub {

inline constexpr std::string_view closed_by_the_server_reason = "closed by the server";

struct PathClientId {
  std::optional<ClientId> id;
  boost::json::array errors;
};

// segment: the path segment as the client sent it (percent-encoded).
PathClientId parse_path_client_id(std::string_view segment);

struct CloseRequest {
  CloseCode code = CloseCode::normal;
  std::string reason{closed_by_the_server_reason};
};

// The close to give the client, or the errors (every bad parameter's).
struct CloseQuery {
  std::optional<CloseRequest> close;
  boost::json::array errors;
};

// target: the request target; code may be 1000 or 3000-4999, reason at most 123 bytes of UTF-8.
CloseQuery parse_close_query(std::string_view target);

}  // namespace wshub
