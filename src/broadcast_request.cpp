// Validates a broadcast body, producing FastAPI's error entries: {"loc": [...], "msg": ..., "type": ...}.
#include "broadcast_request.hpp"

#include <algorithm>

#include <boost/json.hpp>

namespace wshub {
namespace {

namespace json = boost::json;

BroadcastRequest invalid(json::array location, std::string_view msg, std::string_view type, json::object context = {}) {
  json::object error{{"loc", std::move(location)}, {"msg", msg}, {"type", type}};
  if (!context.empty()) error["ctx"] = std::move(context);
  return {.message = std::nullopt, .errors = json::array{std::move(error)}};
}

// FastAPI reports where Python's json module stopped: the position, and the line and column counted from 1.
BroadcastRequest invalid_json(std::string_view body, std::size_t position, std::string const& msg) {
  std::string_view const before = body.substr(0, position);
  auto const lineno = std::ranges::count(before, '\n') + 1;
  auto const line_start = before.rfind('\n');
  auto const colno = position - (line_start == std::string_view::npos ? 0 : line_start + 1) + 1;
  json::object context{{"msg", msg}, {"pos", position}, {"lineno", lineno}, {"colno", colno}};
  return invalid({"body", position}, msg, "value_error.jsondecode", std::move(context));
}

}  // namespace

BroadcastRequest parse_broadcast_request(std::string_view body) {
  if (body.empty()) return invalid({"body"}, "field required", "value_error.missing");

  json::stream_parser parser;
  boost::system::error_code error;
  std::size_t const consumed = parser.write_some(body.data(), body.size(), error);
  if (!error && consumed < body.size()) error = json::error::extra_data;
  if (!error) parser.finish(error);
  if (error) return invalid_json(body, consumed, error.message());

  json::value const document = parser.release();
  if (document.is_null()) return invalid({"body"}, "field required", "value_error.missing");
  if (!document.is_object()) return invalid({"body"}, "value is not a valid dict", "type_error.dict");
  auto const* message = document.as_object().if_contains("message");
  if (message == nullptr) return invalid({"body", "message"}, "field required", "value_error.missing");
  if (message->is_null())
    return invalid({"body", "message"}, "none is not an allowed value", "type_error.none.not_allowed");
  if (!message->is_string()) return invalid({"body", "message"}, "str type expected", "type_error.str");
  return {.message = std::string(message->as_string()), .errors = {}};
}

}  // namespace wshub
