// Validates a broadcast body, producing FastAPI's error entries: {"loc": [...], "msg": ..., "type": ...}.
#include "http/broadcast_request.hpp"

#include <algorithm>

#include <boost/json.hpp>
#include <boost/json/basic_parser_impl.hpp>

namespace wshub {
namespace {

namespace json = boost::json;
using boost::system::error_code;

// What the body's JSON is, as far as the broadcast cares: the kind of the document and of its "message" field.
enum class Kind { none, null, string, object, other };

// A Boost.JSON parse handler that keeps only that, and the message's text, instead of building the document: a
// document of 16 MiB of small values takes about 25 times its size as json::value, this takes the message's.
class MessageFinder {
 public:
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);

  Kind document() const { return document_; }
  Kind message_kind() const { return message_kind_; }
  std::string& message() { return message_; }

  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }
  bool on_array_begin(error_code&) { return begin(Kind::other); }
  bool on_array_end(std::size_t, error_code&) { return end(); }
  bool on_object_begin(error_code&) { return begin(Kind::object); }
  bool on_object_end(std::size_t, error_code&) { return end(); }
  bool on_string_part(json::string_view part, std::size_t, error_code&) { return text(part); }
  bool on_string(json::string_view part, std::size_t, error_code&) { return text(part) && scalar(Kind::string); }
  bool on_key_part(json::string_view part, std::size_t, error_code&) { return key(part); }
  bool on_key(json::string_view part, std::size_t, error_code&) { return key(part) && key_done(); }
  bool on_number_part(json::string_view, error_code&) { return true; }
  bool on_int64(std::int64_t, json::string_view, error_code&) { return scalar(Kind::other); }
  bool on_uint64(std::uint64_t, json::string_view, error_code&) { return scalar(Kind::other); }
  bool on_double(double, json::string_view, error_code&) { return scalar(Kind::other); }
  bool on_bool(bool, error_code&) { return scalar(Kind::other); }
  bool on_null(error_code&) { return scalar(Kind::null); }
  bool on_comment_part(json::string_view, error_code&) { return true; }
  bool on_comment(json::string_view, error_code&) { return true; }

 private:
  static constexpr std::string_view message_key = "message";

  // A value at the top level is the document; one right inside the top-level object, after "message", the message.
  void value(Kind kind) {
    if (depth_ == 0) document_ = kind;
    if (depth_ == 1 && value_is_message_) message_kind_ = kind;  // the last "message" wins, as in json.loads
    if (depth_ == 1) value_is_message_ = false;
  }
  bool begin(Kind kind) {
    value(kind);
    ++depth_;
    return true;
  }
  bool end() {
    --depth_;
    return true;
  }
  bool scalar(Kind kind) {
    value(kind);
    return true;
  }
  bool text(json::string_view part) {
    if (depth_ == 1 && value_is_message_) message_.append(part.data(), part.size());
    return true;
  }
  bool key(json::string_view part) {
    // One character past "message" is enough to tell a longer key from it.
    std::size_t const room = message_key.size() + 1 - std::min(key_.size(), message_key.size() + 1);
    if (depth_ == 1) key_.append(part.data(), std::min(part.size(), room));
    return true;
  }
  bool key_done() {
    value_is_message_ = depth_ == 1 && key_ == message_key;
    if (value_is_message_) message_.clear();
    key_.clear();
    return true;
  }

  Kind document_ = Kind::none;
  Kind message_kind_ = Kind::none;
  std::string message_;
  std::string key_;  // the start of the key being read at the top level, enough to compare with "message"
  std::size_t depth_ = 0;
  bool value_is_message_ = false;
};

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
  // Boost.JSON's parser keeps its own stack, so nesting costs no recursion here; read as stream_parser reads:
  // one value, then nothing but whitespace.
  json::basic_parser<MessageFinder> parser(nesting_as_deep_as_python());
  error_code error;
  std::size_t const consumed = parser.write_some(true, text.data(), text.size(), error);
  if (!error && consumed < text.size()) error = json::error::extra_data;
  if (!error) parser.write_some(false, nullptr, 0, error);
  // Python counts positions in the text after the BOM.
  if (error) return invalid_json(text, consumed, error.message());

  auto& found = parser.handler();
  if (found.document() == Kind::null) return invalid({"body"}, "field required", "value_error.missing");
  if (found.document() != Kind::object) return invalid({"body"}, "value is not a valid dict", "type_error.dict");
  switch (found.message_kind()) {
    case Kind::none:
      return invalid({"body", "message"}, "field required", "value_error.missing");
    case Kind::null:
      return invalid({"body", "message"}, "none is not an allowed value", "type_error.none.not_allowed");
    case Kind::string:
      return {.message = std::move(found.message()), .errors = {}};
    default:
      return invalid({"body", "message"}, "str type expected", "type_error.str");
  }
}

}  // namespace wshub
