// Fuzzes the permessage-deflate negotiation with arbitrary Sec-WebSocket-Extensions fields: an accepted offer has
// a window zlib can produce and an answer that, read back as an offer, is accepted with the same parameters.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "protocol/deflate_negotiation.hpp"

namespace wshub::fuzzing {
namespace {

// The first byte chooses what the server asks; the rest is the request's fields, one per line.
DeflateNegotiation negotiation_of(std::uint8_t flags) {
  return {
      .enabled = true, .server_no_context_takeover = (flags & 1) != 0, .client_no_context_takeover = (flags & 2) != 0};
}

std::vector<std::string_view> fields_of(std::string_view text) {
  std::vector<std::string_view> fields;
  for (;;) {
    auto const end = text.find('\n');
    fields.push_back(text.substr(0, end));
    if (end == std::string_view::npos) return fields;
    text.remove_prefix(end + 1);
  }
}

// The fields as one, joined by commas: the same list (RFC 9110 section 5.3), unless a quoted-string left open in
// one field would run on into the next.
std::string joined(std::vector<std::string_view> const& fields) {
  std::string list;
  for (auto const field : fields) {
    if (!list.empty()) list += ", ";
    list += field;
  }
  return list;
}

void check_accepted(AcceptedDeflate const& accepted, DeflateNegotiation const& negotiation) {
  auto const& parameters = accepted.parameters;
  check(parameters.server_max_window_bits >= 9 && parameters.server_max_window_bits <= 15,
        "the server window is one zlib can produce");
  check(parameters.server_no_context_takeover || !negotiation.server_no_context_takeover,
        "server_no_context_takeover is agreed when the server asks for it");
  check(parameters.client_no_context_takeover || !negotiation.client_no_context_takeover,
        "client_no_context_takeover is agreed when the server asks for it");
  check(accepted.response.starts_with("permessage-deflate"), "the answer names the extension");
  check(accepted.response.find("client_max_window_bits") == std::string::npos,
        "client_max_window_bits is never answered");
  std::string_view const response = accepted.response;
  auto const again = negotiate_permessage_deflate(std::span(&response, 1), negotiation);
  check(again.has_value(), "the answer read as an offer is accepted");
  check(again->parameters == parameters, "the answer read as an offer agrees to the same parameters");
  check(again->response == accepted.response, "the answer read as an offer is answered the same");
}

}  // namespace
}  // namespace wshub::fuzzing

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  using namespace wshub;
  if (size == 0) return 0;
  auto const negotiation = fuzzing::negotiation_of(data[0]);
  std::string_view const text(reinterpret_cast<char const*>(data) + 1, size - 1);
  auto const fields = fuzzing::fields_of(text);
  auto const accepted = negotiate_permessage_deflate(fields, negotiation);
  fuzzing::check(!negotiate_permessage_deflate(fields, DeflateNegotiation{}), "switched off, every offer is declined");
  if (accepted) fuzzing::check_accepted(*accepted, negotiation);
  if (text.find('"') == std::string_view::npos) {
    std::string const list = fuzzing::joined(fields);
    std::string_view const one_field = list;
    auto const as_one = negotiate_permessage_deflate(std::span(&one_field, 1), negotiation);
    fuzzing::check(as_one.has_value() == accepted.has_value(), "fields are one list");
    fuzzing::check(!as_one || as_one->response == accepted->response, "fields are one list");
  }
  return 0;
}
