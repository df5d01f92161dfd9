// Parses the client id from a /ws/{clientId} path, explaining every refusal.
#include "hub/client_id.hpp"

#include <algorithm>
#include <charconv>

#include "protocol/percent_encoding.hpp"
#include "protocol/routes.hpp"

namespace wshub {
namespace {

// The text a client sent, made safe to quote in a close reason: printable ASCII only, and short.
std::string quoted(std::string_view text) {
  constexpr std::size_t max_quoted = 40;
  std::string out = "'";
  for (char c : text.substr(0, max_quoted)) out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
  if (text.size() > max_quoted) out += "...";
  return out + "'";
}

bool is_decimal_integer(std::string_view text) {
  if (text.starts_with('-')) text.remove_prefix(1);
  return !text.empty() && std::ranges::all_of(text, [](char c) { return c >= '0' && c <= '9'; });
}

ClientIdParse refuse(std::string reason) {
  return {.id = std::nullopt, .error = std::move(reason)};
}

}  // namespace

ClientIdParse parse_client_id(std::string_view path) {
  if (path == routes::websocket_root || path == routes::websocket_prefix) return refuse("client id is missing");
  if (!path.starts_with(routes::websocket_prefix)) return refuse("not a /ws/{clientId} path");
  std::string_view const segment = path.substr(routes::websocket_prefix.size());
  if (segment.find('/') != std::string_view::npos) {
    return refuse("unexpected path segments after the client id in " + quoted(path));
  }
  std::string const text = percent_decode(segment);
  if (!is_decimal_integer(text)) return refuse("client id " + quoted(text) + " is not an integer");
  ClientId id = 0;
  if (std::from_chars(text.data(), text.data() + text.size(), id).ec == std::errc::result_out_of_range) {
    return refuse("client id " + quoted(text) + " is out of the 64-bit integer range");
  }
  return {.id = id, .error = {}};
}

std::optional<ClientId> client_id_in_segment(std::string_view segment) {
  std::string const text = percent_decode(segment);
  ClientId id = 0;
  if (!is_decimal_integer(text) || std::from_chars(text.data(), text.data() + text.size(), id).ec != std::errc{}) {
    return std::nullopt;
  }
  return id;
}

}  // namespace wshub
