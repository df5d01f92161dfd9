// The body of POST /broadcast-to-all, validated the way FastAPI (pydantic 1) validates {"message": str}.
#pragma once

#include <cstddef>
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

// How deep a body's JSON may nest: about where Python's json module gives up (its recursion limit is 1000).
inline constexpr std::size_t max_json_depth = 1000;

// The JSON text of a body: FastAPI hands Python's json.loads the body's bytes, and it skips a UTF-8 BOM.
std::string_view json_text_of(std::string_view body);

BroadcastRequest parse_broadcast_request(std::string_view body);

}  // namespace wshub
