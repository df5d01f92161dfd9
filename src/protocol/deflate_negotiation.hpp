// Chooses a permessage-deflate offer (RFC 7692 section 7) from a request's Sec-WebSocket-Extensions fields.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace wshub {

// What was agreed for one connection (RFC 7692 section 7.1).
struct DeflateParameters {
  bool server_no_context_takeover = false;
  bool client_no_context_takeover = false;
  std::uint8_t server_max_window_bits = 15;  // the window our compressor may use, 9..15
  bool operator==(DeflateParameters const&) const = default;
};

// What the server asks of an offer it accepts.
struct DeflateNegotiation {
  bool enabled = false;  // false: every offer is declined
  // Announce it even when not offered (7.1.1.1 allows it): for a server that never keeps a connection's history.
  bool server_no_context_takeover = false;
  bool client_no_context_takeover = true;  // ask the client to reset its compressor per message (7.1.1.2)
};

struct AcceptedDeflate {
  DeflateParameters parameters;
  // The Sec-WebSocket-Extensions value of the 101, e.g.
  // "permessage-deflate; client_no_context_takeover"
  std::string response;
};

// header_values: every Sec-WebSocket-Extensions field of the request, in order (RFC 9110: a list split over
// several fields is one list). The first acceptable permessage-deflate offer in the client's order; nullopt if none.
// Names are compared exactly, as clients compare our answer. An offer is declined for an unknown or repeated
// parameter, a value where none is allowed or none where one is required, or a window it cannot honour
// (server_max_window_bits=8: zlib's raw DEFLATE has no 256-byte window); client_max_window_bits is accepted and not
// echoed, because the inflater's 32 KiB window reads any client window. A list that breaks RFC 6455 section 9.1's
// grammar anywhere declines every offer in it. Linear in the size of the fields; never throws on any input.
std::optional<AcceptedDeflate> negotiate_permessage_deflate(std::span<std::string_view const> header_values,
                                                            DeflateNegotiation const& negotiation);

}  // namespace wshub
