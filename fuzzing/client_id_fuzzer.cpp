// Fuzzes the clientId parser with arbitrary paths: an id it reads round-trips through its decimal text, and every
// refusal is a printable reason short enough for a close frame.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "hub/client_id.hpp"
#include "protocol/close_code.hpp"
#include "protocol/routes.hpp"

namespace wshub::fuzzing {
namespace {

// The shortest decimal text of an integer written with an optional '-' and leading zeros: "-007" is "-7".
std::string canonical_decimal(std::string_view digits) {
  bool const negative = digits.starts_with('-');
  if (negative) digits.remove_prefix(1);
  digits.remove_prefix(std::min(digits.find_first_not_of('0'), digits.size()));
  if (digits.empty()) return "0";
  return (negative ? "-" : "") + std::string(digits);
}

void check_id(std::string_view path, ClientIdParse const& parsed) {
  check(parsed.error.empty(), "an id comes without a reason");
  check(path.starts_with(routes::websocket_prefix), "an id comes from a /ws/ path");
  std::string const text = std::to_string(*parsed.id);
  check(parse_client_id(std::string(routes::websocket_prefix) + text).id == parsed.id,
        "an id reads back from its decimal text");
  std::string_view const segment = path.substr(routes::websocket_prefix.size());
  if (segment.find('%') == std::string_view::npos) {
    check(canonical_decimal(segment) == text, "an id that is not percent-encoded is its own decimal text");
  }
}

void check_refusal(ClientIdParse const& parsed) {
  check(!parsed.error.empty(), "a refusal says why");
  check(parsed.error.size() <= max_close_reason_bytes, "a refusal fits a close frame");
  check(std::ranges::all_of(parsed.error, [](char c) { return c >= 0x20 && c < 0x7f; }),
        "a refusal is printable ASCII");
}

}  // namespace
}  // namespace wshub::fuzzing

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  using namespace wshub;
  std::string_view const path(reinterpret_cast<char const*>(data), size);
  auto const parsed = parse_client_id(path);
  if (parsed.id) {
    fuzzing::check_id(path, parsed);
  } else {
    fuzzing::check_refusal(parsed);
  }
  return 0;
}
