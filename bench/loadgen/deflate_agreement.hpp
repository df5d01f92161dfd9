// permessage-deflate as a client negotiates it (RFC 7692 section 7): Chromium's offer, and what the server's answer
// in the 101 obliges each side to do.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace loadgen {

// The offer Chromium sends: any server window, and the server may limit ours.
inline constexpr std::string_view kDeflateOffer = "permessage-deflate; client_max_window_bits";

struct DeflateAgreement {
  // The server resets its compressor after each message, so our inflater must too.
  bool server_no_context_takeover = false;
  // The server asked us to compress each message on its own.
  bool client_no_context_takeover = false;
  int server_max_window_bits = 15;
  int client_max_window_bits = 15;
};

struct ExtensionAnswer {
  // Set when the server accepted the offer.
  std::optional<DeflateAgreement> agreement;
  // Set when the answer breaks RFC 7692 (or asks what we cannot do): the connection must fail.
  std::string error;
};

// The Sec-WebSocket-Extensions values of a response head (status line and header lines), joined by ", " as RFC 9110
// allows; empty when there are none.
std::string extensions_header(std::string_view response_head);

// Reads the server's answer to our offer (`offered`) or to no offer at all.
ExtensionAnswer read_extension_answer(std::string_view extensions, bool offered);

}  // namespace loadgen
