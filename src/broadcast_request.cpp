// Validates a broadcast body, producing FastAPI's error entries: {"loc": [...], "msg": ..., "type": ...}.
#include "broadcast_request.hpp"

#include <boost/json.hpp>

namespace wshub {
namespace {

namespace json = boost::json;

BroadcastRequest invalid(json::array location, std::string_view msg, std::string_view type) {
  json::object error{{"loc", std::move(location)}, {"msg", msg}, {"type", type}};
  return {.message = std::nullopt, .errors = json::array{std::move(error)}};
}

}  // namespace

BroadcastRequest parse_broadcast_request(std::string_view body) {
  if (body.empty()) return invalid({"body"}, "field required", "value_error.missing");

  json::stream_parser parser;
  boost::system::error_code error;
  std::size_t const consumed = parser.write_some(body.data(), body.size(), error);
  if (!error && consumed < body.size()) error = json::error::extra_data;
  if (!error) parser.finish(error);
  if (error) return invalid({"body", consumed}, error.message(), "value_error.jsondecode");

  json::value const document = parser.release();
  if (!document.is_object()) return invalid({"body"}, "value is not a valid dict", "type_error.dict");
  auto const* message = document.as_object().if_contains("message");
  if (message == nullptr) return invalid({"body", "message"}, "field required", "value_error.missing");
  if (!message->is_string()) return invalid({"body", "message"}, "str type expected", "type_error.str");
  return {.message = std::string(message->as_string()), .errors = {}};
}

}  // namespace wshub
