// Fuzzes the send-to-clients body parser against Boost.JSON's own reading of the body: a body is accepted exactly
// when it is an object whose "clients" is an array of at most 10,000 64-bit integers and whose "message" is a string,
// and then the ids and the message are those; every refusal is FastAPI-shaped and points into the body.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "fuzz_check.hpp"
#include "http/send_to_clients_request.hpp"
#include "json_oracle.hpp"

namespace wshub::fuzzing {
namespace {

namespace json = boost::json;

// The ids the body lists, if it is a valid request by Boost.JSON's reading.
std::optional<std::vector<ClientId>> listed_ids(json::object const& document) {
  auto const* clients = document.if_contains("clients");
  if (!clients || !clients->is_array() || clients->as_array().size() > max_send_to_clients) return std::nullopt;
  std::vector<ClientId> ids;
  for (auto const& entry : clients->as_array()) {
    if (!entry.is_int64()) return std::nullopt;
    ids.push_back(entry.as_int64());
  }
  return ids;
}

void check_against_json(std::string_view body, SendToClientsRequest const& parsed) {
  boost::system::error_code error;
  json::value const document = parse_json(body, error);
  bool valid = false;
  if (!error && document.is_object()) {
    auto const ids = listed_ids(document.as_object());
    auto const* message = document.as_object().if_contains("message");
    valid = ids && message && message->is_string();
    if (valid && parsed.send) {
      check(parsed.send->ids == *ids, "the ids are the body's, in order, repeats kept");
      check(parsed.send->message == message->as_string(), "the message is the body's");
    }
  }
  check(valid == parsed.send.has_value(), "a body is accepted exactly when Boost.JSON reads a valid request in it");
}

void check_refusal(json::array const& errors) {
  check(!errors.empty(), "a refusal has entries");
  check(json::parse(json::serialize(errors)) == errors, "a refusal survives a round trip through JSON text");
  for (auto const& error : errors) {
    auto const& location = error.as_object().at("loc").as_array();
    check(!location.empty() && location.front() == "body", "every entry points into the body");
  }
}

}  // namespace
}  // namespace wshub::fuzzing

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  using namespace wshub;
  std::string_view const body(reinterpret_cast<char const*>(data), size);
  auto const parsed = parse_send_to_clients_request(body);
  fuzzing::check(parsed.send.has_value() == parsed.errors.empty(), "a body is a request or a refusal, not both");
  fuzzing::check_against_json(body, parsed);
  if (!parsed.send) fuzzing::check_refusal(parsed.errors);
  return 0;
}
