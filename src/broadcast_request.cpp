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

json::parse_options nesting_as_deep_as_python() {
  json::parse_options options;
  options.max_depth = max_json_depth;
  return options;
}

}  // namespace

std::string_view json_text_of(std::string_view body) {
  constexpr std::string_view byte_order_mark = "\xEF\xBB\xBF";
  return body.starts_with(byte_order_mark) ? body.substr(byte_order_mark.size()) : body;
}

BroadcastRequest parse_broadcast_request(std::string_view body) {
  if (body.empty()) return invalid({"body"}, "field required", "value_error.missing");

  std::string_view const text = json_text_of(body);
  // A monotonic resource frees everything at once, so destroying a deeply nested document does not walk it.
  json::monotonic_resource resource;
  json::stream_parser parser({}, nesting_as_deep_as_python());
  parser.reset(&resource);
  boost::system::error_code error;
  std::size_t const consumed = parser.write_some(text.data(), text.size(), error);
  if (!error && consumed < text.size()) error = json::error::extra_data;
  if (!error) parser.finish(error);
  // Python counts positions in the text after the BOM.
  if (error) return invalid_json(text, consumed, error.message());

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
