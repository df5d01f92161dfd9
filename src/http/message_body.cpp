// Reads a message route's body with a Boost.JSON parse handler that keeps only the fields the routes read.
#include "http/message_body.hpp"

#include <algorithm>
#include <string>

#include <boost/json.hpp>
#include <boost/json/basic_parser_impl.hpp>

namespace wshub {
namespace {

namespace json = boost::json;
using boost::system::error_code;

// A handler that records the kinds of the document and of its "message" and "clients" fields, the message's text
// and the clients' entries, instead of building the document: a document of 16 MiB of small values takes about 25
// times its size as json::value, this takes the message's and at most MessageBody::max_kept_entries ids.
class BodyFinder {
 public:
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);

  MessageBody& found() { return found_; }

  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }
  bool on_array_begin(error_code&) { return begin(JsonKind::array); }
  bool on_array_end(std::size_t, error_code&) { return end(); }
  bool on_object_begin(error_code&) { return begin(JsonKind::object); }
  bool on_object_end(std::size_t, error_code&) { return end(); }
  bool on_string_part(json::string_view part, std::size_t, error_code&) { return text(part); }
  bool on_string(json::string_view part, std::size_t, error_code&) { return text(part) && scalar(JsonKind::string); }
  bool on_key_part(json::string_view part, std::size_t, error_code&) { return key(part); }
  bool on_key(json::string_view part, std::size_t, error_code&) { return key(part) && key_done(); }
  bool on_number_part(json::string_view, error_code&) { return true; }
  bool on_int64(std::int64_t value, json::string_view, error_code&) { return scalar(JsonKind::other, value); }
  bool on_uint64(std::uint64_t, json::string_view, error_code&) { return scalar(JsonKind::other); }
  bool on_double(double, json::string_view, error_code&) { return scalar(JsonKind::other); }
  bool on_bool(bool, error_code&) { return scalar(JsonKind::other); }
  bool on_null(error_code&) { return scalar(JsonKind::null); }
  bool on_comment_part(json::string_view, error_code&) { return true; }
  bool on_comment(json::string_view, error_code&) { return true; }

 private:
  static constexpr std::string_view message_key = "message";
  static constexpr std::string_view clients_key = "clients";
  enum class Field { other, message, clients };

  // A value at the top level is the document; one right inside the top-level object, a field; one right inside
  // the "clients" array, an entry (integer: the value of an int64 that fits).
  void value(JsonKind kind, std::optional<ClientId> integer = std::nullopt) {
    if (depth_ == 0) found_.document = kind;
    if (depth_ == 1) field_value(kind);
    if (depth_ == 2 && in_clients_) entry(integer);
  }
  void field_value(JsonKind kind) {
    if (field_ == Field::message) found_.message = kind;
    if (field_ == Field::clients) found_.clients = kind;
    in_clients_ = field_ == Field::clients && kind == JsonKind::array;
    field_ = Field::other;
  }
  void entry(std::optional<ClientId> integer) {
    auto const index = found_.entries++;
    if (integer && found_.ids.size() < MessageBody::max_kept_entries) found_.ids.push_back(*integer);
    if (!integer && found_.bad_entries.size() < MessageBody::max_kept_entries) found_.bad_entries.push_back(index);
  }
  bool begin(JsonKind kind) {
    value(kind);
    ++depth_;
    return true;
  }
  bool end() {
    --depth_;
    if (depth_ == 1) in_clients_ = false;
    return true;
  }
  bool scalar(JsonKind kind, std::optional<ClientId> integer = std::nullopt) {
    value(kind, integer);
    return true;
  }
  // A string's text arrives before its end is reported, while the field it is the value of is still the one read.
  bool text(json::string_view part) {
    if (depth_ == 1 && field_ == Field::message) found_.text.append(part.data(), part.size());
    return true;
  }
  bool key(json::string_view part) {
    // One character past the longest name is enough to tell a longer key from it.
    std::size_t const longest = std::max(message_key.size(), clients_key.size());
    std::size_t const room = longest + 1 - std::min(key_.size(), longest + 1);
    if (depth_ == 1) key_.append(part.data(), std::min(part.size(), room));
    return true;
  }
  bool key_done() {
    if (depth_ == 1)
      field_ = key_ == message_key ? Field::message : key_ == clients_key ? Field::clients : Field::other;
    if (field_ == Field::message) found_.text.clear();
    if (field_ == Field::clients) found_ = with_no_clients(std::move(found_));
    key_.clear();
    return true;
  }
  static MessageBody with_no_clients(MessageBody body) {
    body.entries = 0;
    body.ids.clear();
    body.bad_entries.clear();
    return body;
  }

  MessageBody found_;
  std::string key_;  // the start of the key being read at the top level, enough to compare with the names
  std::size_t depth_ = 0;
  Field field_ = Field::other;  // the field whose value comes next, at the top level
  bool in_clients_ = false;     // inside the "clients" array
};

// FastAPI reports where Python's json module stopped: the position, and the line and column counted from 1.
json::array invalid_json(std::string_view body, std::size_t position, std::string const& msg) {
  std::string_view const before = body.substr(0, position);
  auto const lineno = std::ranges::count(before, '\n') + 1;
  auto const line_start = before.rfind('\n');
  auto const colno = position - (line_start == std::string_view::npos ? 0 : line_start + 1) + 1;
  json::object context{{"msg", msg}, {"pos", position}, {"lineno", lineno}, {"colno", colno}};
  return {validation_error({"body", position}, msg, "value_error.jsondecode", std::move(context))};
}

std::string at_most_items(std::size_t max_ids) {
  return "ensure this value has at most " + std::to_string(max_ids) + " items";
}

json::parse_options nesting_as_deep_as_python() {
  json::parse_options options;
  options.max_depth = max_json_depth;
  return options;
}

}  // namespace

json::object validation_error(json::array location, std::string_view msg, std::string_view type, json::object context) {
  json::object error{{"loc", std::move(location)}, {"msg", msg}, {"type", type}};
  if (!context.empty()) error["ctx"] = std::move(context);
  return error;
}

std::string_view json_text_of(std::string_view body) {
  constexpr std::string_view byte_order_mark = "\xEF\xBB\xBF";
  return body.starts_with(byte_order_mark) ? body.substr(byte_order_mark.size()) : body;
}

MessageBodyRead read_message_body(std::string_view body) {
  if (body.empty()) return {.body = MessageBody{}, .errors = {}};
  std::string_view const text = json_text_of(body);
  // Boost.JSON's parser keeps its own stack, so nesting costs no recursion here; read as stream_parser reads:
  // one value, then nothing but whitespace.
  json::basic_parser<BodyFinder> parser(nesting_as_deep_as_python());
  error_code error;
  std::size_t const consumed = parser.write_some(true, text.data(), text.size(), error);
  if (!error && consumed < text.size()) error = json::error::extra_data;
  if (!error) parser.write_some(false, nullptr, 0, error);
  // Python counts positions in the text after the BOM.
  if (error) return {.body = std::nullopt, .errors = invalid_json(text, consumed, error.message())};
  return {.body = std::move(parser.handler().found()), .errors = {}};
}

json::array document_errors(MessageBody const& body) {
  if (body.document == JsonKind::none || body.document == JsonKind::null)
    return {validation_error({"body"}, "field required", "value_error.missing")};
  if (body.document != JsonKind::object)
    return {validation_error({"body"}, "value is not a valid dict", "type_error.dict")};
  return {};
}

json::array message_errors(MessageBody const& body) {
  switch (body.message) {
    case JsonKind::none:
      return {validation_error({"body", "message"}, "field required", "value_error.missing")};
    case JsonKind::null:
      return {validation_error({"body", "message"}, "none is not an allowed value", "type_error.none.not_allowed")};
    case JsonKind::string:
      return {};
    default:
      return {validation_error({"body", "message"}, "str type expected", "type_error.str")};
  }
}

json::array clients_errors(MessageBody const& body, std::size_t max_ids) {
  switch (body.clients) {
    case JsonKind::none:
      return {validation_error({"body", "clients"}, "field required", "value_error.missing")};
    case JsonKind::null:
      return {validation_error({"body", "clients"}, "none is not an allowed value", "type_error.none.not_allowed")};
    case JsonKind::array:
      break;
    default:
      return {validation_error({"body", "clients"}, "value is not a valid list", "type_error.list")};
  }
  if (body.entries > max_ids) {
    return {validation_error({"body", "clients"}, at_most_items(max_ids), "value_error.list.max_items",
                             {{"limit_value", max_ids}})};
  }
  json::array errors;
  for (auto const index : body.bad_entries) {
    errors.push_back(
        validation_error({"body", "clients", index}, "value is not a valid integer", "type_error.integer"));
  }
  return errors;
}

}  // namespace wshub
