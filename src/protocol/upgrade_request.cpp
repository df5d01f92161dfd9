// Reads a plain WebSocket upgrade request straight from the connection's first bytes, without Beast's parser.
#include "protocol/upgrade_request.hpp"

#include <algorithm>
#include <array>

#include <boost/beast/core/string.hpp>

#include "protocol/routes.hpp"

namespace wshub {
namespace {

constexpr std::string_view request_line_start = "GET ";
constexpr std::string_view request_version = " HTTP/1.1";
constexpr std::string_view line_end = "\r\n";
constexpr std::string_view end_of_head = "\r\n\r\n";
constexpr std::string_view token_symbols = "!#$%&'*+-.^_`|~";

// RFC 9110 section 5.6.2: the characters of a field name or a list token.
bool is_token_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         token_symbols.find(c) != std::string_view::npos;
}

bool is_token(std::string_view text) {
  return !text.empty() && std::ranges::all_of(text, is_token_char);
}

// Visible ASCII and spaces only: Beast also takes tabs and bytes above 0x7F, but those requests go to Beast.
bool is_plain_text(std::string_view text) {
  return std::ranges::all_of(text, [](char c) { return c >= ' ' && c <= '~'; });
}

std::string_view trim_spaces(std::string_view text) {
  auto const first = text.find_first_not_of(' ');
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(' ') - first + 1);
}

// "keep-alive, Upgrade": tokens separated by commas and optional spaces, the one shape of a Connection list taken
// here (Beast refuses some lists with 400, so anything less plain is left to it).
bool is_plain_token_list(std::string_view list) {
  for (;;) {
    auto const comma = list.find(',');
    if (!is_token(trim_spaces(list.substr(0, comma)))) return false;
    if (comma == std::string_view::npos) return true;
    list.remove_prefix(comma + 1);
  }
}

enum class FieldRole { handshake, extensions, unused, not_plain };

// Which slot a field fills, whether it is one of the extension fields, or whether its presence makes the request one
// for Beast (a body, 100-continue, a proxy's list Beast validates).
FieldRole role_of(std::string_view name, HandshakeFields& fields, std::optional<std::string_view>*& slot) {
  struct Named {
    std::string_view name;
    std::optional<std::string_view> HandshakeFields::*member;
  };
  static constexpr std::array<Named, 6> handshake_fields{{{"host", &HandshakeFields::host},
                                                          {"connection", &HandshakeFields::connection},
                                                          {"upgrade", &HandshakeFields::upgrade},
                                                          {"sec-websocket-key", &HandshakeFields::key},
                                                          {"sec-websocket-version", &HandshakeFields::version},
                                                          {"origin", &HandshakeFields::origin}}};
  static constexpr std::array<std::string_view, 4> not_plain{"content-length", "transfer-encoding", "expect",
                                                             "proxy-connection"};
  for (auto const& field : handshake_fields) {
    if (beast::iequals(name, field.name)) {
      slot = &(fields.*field.member);
      return FieldRole::handshake;
    }
  }
  if (beast::iequals(name, "sec-websocket-extensions")) return FieldRole::extensions;
  bool const excluded = std::ranges::any_of(not_plain, [name](auto other) { return beast::iequals(name, other); });
  return excluded ? FieldRole::not_plain : FieldRole::unused;
}

// One "name: value" line without its CRLF; false when it is not plain.
bool read_field(std::string_view line, HandshakeFields& fields) {
  auto const colon = line.find(':');
  if (colon == std::string_view::npos || !is_token(line.substr(0, colon))) return false;
  auto const value = trim_spaces(line.substr(colon + 1));
  if (!is_plain_text(value)) return false;
  std::optional<std::string_view>* slot = nullptr;
  switch (role_of(line.substr(0, colon), fields, slot)) {
    case FieldRole::not_plain:
      return false;
    case FieldRole::unused:
      return true;
    case FieldRole::extensions:
      fields.extensions.push_back(value);  // a list that may be split over several fields (RFC 9110 5.3)
      return true;
    case FieldRole::handshake:
      if (*slot) return false;  // twice: Beast would take the first, but a repeated field is not plain
      *slot = value;
      return !(slot == &fields.connection && !is_plain_token_list(value));
  }
  return false;
}

// "GET target HTTP/1.1" with a target of visible ASCII on the WebSocket route.
std::optional<std::string_view> read_request_line(std::string_view line) {
  if (!line.starts_with(request_line_start) || !line.ends_with(request_version)) return std::nullopt;
  auto const target =
      line.substr(request_line_start.size(),
                  line.size() - std::min(line.size(), request_line_start.size() + request_version.size()));
  bool const visible = std::ranges::all_of(target, [](char c) { return c > ' ' && c <= '~'; });
  if (target.empty() || !visible || !routes::is_websocket_path(routes::path_of(target))) return std::nullopt;
  return target;
}

}  // namespace

std::optional<UpgradeRequest> scan_upgrade_request(std::string_view bytes, std::size_t max_header_bytes) {
  auto const end = bytes.find(end_of_head);
  if (end == std::string_view::npos || end + end_of_head.size() > max_header_bytes) return std::nullopt;
  UpgradeRequest request;
  request.head_bytes = end + end_of_head.size();
  // Every line of the head ends with CRLF, the last one included.
  auto head = bytes.substr(0, end + line_end.size());
  auto const first_line_end = head.find(line_end);
  auto const target = read_request_line(head.substr(0, first_line_end));
  if (!target) return std::nullopt;
  request.target = *target;
  head.remove_prefix(first_line_end + line_end.size());
  while (!head.empty()) {
    auto const eol = head.find(line_end);
    if (!read_field(head.substr(0, eol), request.fields)) return std::nullopt;
    head.remove_prefix(eol + line_end.size());
  }
  return request;
}

}  // namespace wshub
