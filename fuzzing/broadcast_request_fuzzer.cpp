// Fuzzes the broadcast body parser: a body carries a message exactly when it is a JSON object whose "message" is a
// string, the message re-serialises to a body that reads back the same, and every refusal is one FastAPI-shaped
// entry that survives a round trip through JSON text.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <boost/json.hpp>

#include "fuzz_check.hpp"
#include "http/broadcast_request.hpp"
#include "json_oracle.hpp"

namespace wshub::fuzzing {
namespace {

namespace json = boost::json;

bool is_json(std::string_view body) {
  boost::system::error_code error;
  parse_json(body, error);
  return !error;
}

void check_message(std::string_view body, std::string const& message) {
  boost::system::error_code error;
  json::value const document = parse_json(body, error);
  check(!error && document.is_object(), "a message comes from a JSON object");
  auto const* field = document.as_object().if_contains("message");
  check(field && field->is_string() && field->as_string() == message, "the message is the object's \"message\"");
  auto const again = parse_broadcast_request(json::serialize(json::object{{"message", message}}));
  check(again.message == message, "a message re-serialises to a body that reads back the same");
}

void check_decode_error(std::string_view body, json::object const& entry) {
  auto const& context = entry.at("ctx").as_object();
  auto const position = context.at("pos").to_number<std::size_t>();
  check(position <= body.size(), "a JSON error is inside the body");
  check(entry.at("loc").as_array().at(1) == context.at("pos"), "a JSON error's location is its position");
  check(context.at("lineno").to_number<std::int64_t>() >= 1 && context.at("colno").to_number<std::int64_t>() >= 1,
        "lines and columns count from 1");
}

void check_refusal(std::string_view body, json::array const& errors) {
  check(errors.size() == 1, "a refusal is one entry");
  check(json::parse(json::serialize(errors)) == errors, "a refusal survives a round trip through JSON text");
  auto const& entry = errors.front().as_object();
  auto const& location = entry.at("loc").as_array();
  check(!location.empty() && location.front() == "body", "a refusal points into the body");
  check(entry.at("msg").is_string() && entry.at("type").is_string(), "a refusal has a message and a type");
  bool const is_decode_error = entry.at("type") == "value_error.jsondecode";
  check(is_decode_error == (!body.empty() && !is_json(body)), "a body is refused as JSON exactly when it is not JSON");
  if (is_decode_error) check_decode_error(body, entry);
}

}  // namespace
}  // namespace wshub::fuzzing

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  using namespace wshub;
  std::string_view const body(reinterpret_cast<char const*>(data), size);
  auto const parsed = parse_broadcast_request(body);
  fuzzing::check(parsed.message.has_value() == parsed.errors.empty(), "a body is a message or a refusal, not both");
  if (parsed.message) {
    fuzzing::check_message(body, *parsed.message);
  } else {
    fuzzing::check_refusal(body, parsed.errors);
  }
  return 0;
}
