// Answers a WebSocket opening handshake (RFC 6455 section 4.2) by hand, without Beast's websocket::stream.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/deflate_negotiation.hpp"
#include "protocol/http_message.hpp"

namespace wshub {

// What to write back to an upgrade request. After a refusal the server closes the connection.
struct HandshakeAnswer {
  std::string bytes;
  bool refused = false;
  http::status status = http::status::switching_protocols;
  std::optional<DeflateParameters> deflate{};  // what the 101 agreed to, when it carries permessage-deflate
};

// The fields the handshake reads; where a field occurs twice, the first one (as with Beast's find()), except the
// extensions, a list that may be split over several fields. A request with two keys or two versions is refused
// before its fields are read.
struct HandshakeFields {
  std::optional<std::string_view> host;
  std::optional<std::string_view> connection;
  std::optional<std::string_view> upgrade;
  std::optional<std::string_view> key;
  std::optional<std::string_view> version;
  std::optional<std::string_view> origin;
  std::vector<std::string_view> extensions;  // every Sec-WebSocket-Extensions field, in order
};

// What the answer depends on besides the request.
struct HandshakeContext {
  std::span<std::string const> allowed_origins{};  // lower case; empty: any Origin may connect
  std::string_view date{};       // the Date field of the answer (http_date_now(); fixed in tests); empty: none
  DeflateNegotiation deflate{};  // whether and how a permessage-deflate offer is accepted (off: never)
};

// A WebSocket upgrade request on the /ws route: answered by the handshake, everything else by the API.
bool is_websocket_upgrade(HttpRequest const& request);

// RFC 6455 section 4.2.2: base64(SHA-1(key + the protocol's GUID)).
std::string sec_websocket_accept(std::string_view key);

// Checks the request as RFC 6455 section 4.2.1 (and Beast's accept) do. Answers 101 Switching Protocols; 426
// naming version 13 when the client speaks another version; 403 when the context's allowed_origins is not empty
// and the Origin header is not in it; 400 when anything else is wrong, a repeated key or version included. Refusals
// carry {"detail": ...} and Connection: close, like the API's other errors. The 101 carries Sec-WebSocket-Extensions
// when the context's deflate accepts an offer; an offer, however odd, never refuses the handshake.
HandshakeAnswer answer_websocket_handshake(HttpRequest const& request, HandshakeContext const& context = {});
// The same for a GET request in HTTP/1.1 of which only the fields are known (see upgrade_request).
HandshakeAnswer answer_websocket_handshake(HandshakeFields const& fields, HandshakeContext const& context = {});

}  // namespace wshub
