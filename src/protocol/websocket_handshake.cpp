// Answers a WebSocket opening handshake (RFC 6455 section 4.2) by hand, without Beast's websocket::stream.
#include "protocol/websocket_handshake.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <sstream>

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "protocol/routes.hpp"
#include "protocol/sha1.hpp"
#include "version.hpp"

namespace wshub {
namespace {

constexpr unsigned http_1_1 = 11;  // Beast's encoding of the HTTP version
constexpr std::string_view websocket_guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";  // RFC 6455 section 1.3
constexpr std::string_view supported_version = "13";
constexpr std::string_view base64_alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::string_view switching_protocols_head =
    "HTTP/1.1 101 Switching Protocols\r\n"
    "Upgrade: websocket\r\n"
    "Connection: Upgrade\r\n"
    "Sec-WebSocket-Accept: ";
constexpr std::string_view extensions_field_name = "\r\nSec-WebSocket-Extensions: ";
constexpr std::string_view server_field_name = "\r\nServer: wshub/";
constexpr std::string_view date_field_name = "\r\nDate: ";
constexpr std::string_view end_of_head = "\r\n\r\n";
constexpr std::size_t accept_chars = 28;  // 20 bytes of SHA-1 in base64

struct Refusal {
  http::status status;
  std::string_view detail;
};

// RFC 4648 section 4, padded with '='.
void append_base64(std::string& text, std::span<std::uint8_t const> bytes) {
  std::size_t at = text.size();
  text.resize(at + (bytes.size() + 2) / 3 * 4, '=');  // so the padding is already in place
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    std::size_t const taken = std::min<std::size_t>(3, bytes.size() - i);
    std::uint32_t group = 0;
    for (std::size_t j = 0; j < 3; ++j) group = group << 8 | (j < taken ? bytes[i + j] : 0);
    // n bytes fill n + 1 characters of six bits.
    for (std::size_t j = 0; j <= taken; ++j) text[at + j] = base64_alphabet[group >> (18 - 6 * j) & 0x3F];
    at += 4;
  }
}

bool is_base64_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

// RFC 6455 section 4.1: the key is 16 random bytes in base64, that is 22 characters of the alphabet and "==".
bool is_valid_key(std::string_view key) {
  return key.size() == 24 && key.ends_with("==") && std::ranges::all_of(key.substr(0, 22), is_base64_char);
}

// RFC 6455 section 4.2.2: what Sec-WebSocket-Accept is the base64 of.
std::array<std::uint8_t, 20> accept_digest(std::string_view key) {
  std::string keyed;
  keyed.reserve(key.size() + websocket_guid.size());
  keyed.append(key).append(websocket_guid);
  return sha1(keyed);
}

std::optional<std::string_view>* slot_of(HandshakeFields& fields, http::field name) {
  switch (name) {
    case http::field::host:
      return &fields.host;
    case http::field::connection:
      return &fields.connection;
    case http::field::upgrade:
      return &fields.upgrade;
    case http::field::sec_websocket_key:
      return &fields.key;
    case http::field::sec_websocket_version:
      return &fields.version;
    case http::field::origin:
      return &fields.origin;
    default:
      return nullptr;
  }
}

HandshakeFields handshake_fields(HttpRequest const& request) {
  HandshakeFields fields;
  for (auto const& field : request) {
    if (field.name() == http::field::sec_websocket_extensions) fields.extensions.push_back(field.value());
    // Where a field occurs twice the first one counts, as with Beast's find().
    if (auto* const slot = slot_of(fields, field.name()); slot && !*slot) *slot = field.value();
  }
  return fields;
}

// Token lists ignore case and order: "keep-alive, Upgrade" has the token "upgrade".
bool has_token(std::optional<std::string_view> value, std::string_view token) {
  return value && http::token_list{*value}.exists(token);
}

Refusal bad_request(std::string_view detail) {
  return Refusal{http::status::bad_request, detail};
}

// The first rule of RFC 6455 section 4.2.1 the request line breaks, in the order Beast's accept checks them.
std::optional<Refusal> find_request_line_fault(HttpRequest const& request) {
  if (request.version() != http_1_1) return bad_request("A WebSocket handshake must use HTTP/1.1");
  if (request.method() != http::verb::get) return bad_request("A WebSocket handshake must be a GET request");
  return std::nullopt;
}

// Two keys (or versions) would be two handshakes in one; Beast's find() would quietly answer the first.
std::optional<Refusal> find_repeated_field(HttpRequest const& request) {
  if (request.count(http::field::sec_websocket_key) > 1) return bad_request("Sec-WebSocket-Key must appear once");
  if (request.count(http::field::sec_websocket_version) > 1) {
    return bad_request("Sec-WebSocket-Version must appear once");
  }
  return std::nullopt;
}

// The first rule of RFC 6455 section 4.2.1 the fields break, in the order Beast's accept checks them.
std::optional<Refusal> find_field_fault(HandshakeFields const& fields) {
  if (!fields.host) return bad_request("The Host header is missing");
  if (!has_token(fields.connection, "upgrade")) return bad_request("Connection must include 'upgrade'");
  if (!has_token(fields.upgrade, "websocket")) return bad_request("Upgrade must include 'websocket'");
  if (!fields.key) return bad_request("The Sec-WebSocket-Key header is missing");
  if (!is_valid_key(*fields.key)) return bad_request("Sec-WebSocket-Key must be 16 bytes in base64");
  if (!fields.version) return bad_request("The Sec-WebSocket-Version header is missing");
  if (*fields.version != supported_version) {
    return Refusal{http::status::upgrade_required, "Only WebSocket version 13 is supported"};
  }
  return std::nullopt;
}

// Browsers always send Origin (RFC 6454), and cross-site WebSocket hijacking needs a browser; a client without
// one is a program, which could send any Origin it liked, so a missing Origin is not refused.
std::optional<Refusal> check_origin(HandshakeFields const& fields, std::span<std::string const> allowed_origins) {
  if (allowed_origins.empty() || !fields.origin) return std::nullopt;
  bool const allowed = std::ranges::any_of(
      allowed_origins, [&fields](std::string const& origin) { return beast::iequals(origin, *fields.origin); });
  if (allowed) return std::nullopt;
  return Refusal{http::status::forbidden, "This origin may not open a WebSocket here"};
}

std::string serialized(HttpResponse const& response) {
  std::ostringstream bytes;
  bytes << response;
  return std::move(bytes).str();
}

// Refusals are rare, so they are built with Beast and shaped like the API's other errors.
std::string refusal_bytes(Refusal const& refusal, std::string_view date) {
  auto response = error_response(refusal.status, refusal.detail, http_1_1);
  if (!date.empty()) response.set(http::field::date, date);
  if (refusal.status == http::status::upgrade_required) {
    // RFC 6455 section 4.2.2 asks for the versions we speak; RFC 9110 section 15.5.22 for the protocol.
    response.set(http::field::sec_websocket_version, supported_version);
    response.set(http::field::upgrade, "websocket");
    response.set(http::field::connection, "Upgrade, close");
  }
  return serialized(response);
}

// Appended to one string, not built as a Beast response: every connection pays for this one. About 6k instructions,
// 3.7k of them SHA-1, where Beast's websocket::stream spent over 20k to check the request and write the 101.
// extensions: the Sec-WebSocket-Extensions value; empty: the field is left out.
std::string switching_protocols(std::string_view key, std::string_view extensions, std::string_view date) {
  std::string_view const server_version = version;
  std::string response;
  response.reserve(switching_protocols_head.size() + accept_chars + extensions_field_name.size() + extensions.size() +
                   server_field_name.size() + server_version.size() + date_field_name.size() + date.size() +
                   end_of_head.size());
  response.append(switching_protocols_head);
  append_base64(response, accept_digest(key));
  if (!extensions.empty()) response.append(extensions_field_name).append(extensions);
  response.append(server_field_name).append(server_version);
  if (!date.empty()) response.append(date_field_name).append(date);
  response.append(end_of_head);
  return response;
}

HandshakeAnswer refused(Refusal const& fault, std::string_view date) {
  return {.bytes = refusal_bytes(fault, date), .refused = true, .status = fault.status};
}

}  // namespace

bool is_websocket_upgrade(HttpRequest const& request) {
  return beast::websocket::is_upgrade(request) && routes::is_websocket_path(routes::path_of(request.target()));
}

std::string sec_websocket_accept(std::string_view key) {
  std::string accept;
  append_base64(accept, accept_digest(key));
  return accept;
}

HandshakeAnswer answer_websocket_handshake(HttpRequest const& request, HandshakeContext const& context) {
  auto fault = find_request_line_fault(request);
  if (!fault) fault = find_repeated_field(request);
  if (fault) return refused(*fault, context.date);
  return answer_websocket_handshake(handshake_fields(request), context);
}

HandshakeAnswer answer_websocket_handshake(HandshakeFields const& fields, HandshakeContext const& context) {
  auto fault = find_field_fault(fields);
  if (!fault) fault = check_origin(fields, context.allowed_origins);
  if (fault) return refused(*fault, context.date);
  auto const deflate = negotiate_permessage_deflate(fields.extensions, context.deflate);
  return {.bytes = switching_protocols(*fields.key, deflate ? std::string_view(deflate->response) : "", context.date),
          .refused = false,
          .status = http::status::switching_protocols,
          .deflate = deflate ? std::optional(deflate->parameters) : std::nullopt};
}

}  // namespace wshub
