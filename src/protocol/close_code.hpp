// The WebSocket close codes wshub sends and accepts, and the fixed reasons that go with them, in one place.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace wshub {

// RFC 6455 section 7.4.1 codes.
enum class CloseCode : std::uint16_t {
  normal = 1000,
  going_away = 1001,
  protocol_error = 1002,
  unsupported_data = 1003,
  invalid_payload = 1007,
  policy_violation = 1008,
  message_too_big = 1009,
  try_again_later = 1013,
  replaced = 4000,  // an application code: the client's id was taken by a newer connection (DUPLICATE_POLICY=replace)
};

// Reported (never sent) for a close frame that carried no code (RFC 6455 section 7.4.1).
inline constexpr std::uint16_t no_status_received = 1005;

// Whether a peer may put this code in a close frame (RFC 6455 section 7.4): the codes defined for use on the
// wire, and the ranges kept for libraries (3000-3999) and applications (4000-4999). 1004-1006 and 1015 are
// reserved for reporting and must never be sent.
constexpr bool may_be_sent(std::uint16_t code) {
  bool const defined = (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014);
  return defined || (code >= 3000 && code <= 4999);
}

// RFC 6455 section 5.5: a control frame carries at most 125 bytes, two of which are the code.
inline constexpr std::size_t max_close_reason_bytes = 123;

inline constexpr std::string_view shutting_down_reason = "server shutting down";
inline constexpr std::string_view binary_unsupported_reason = "binary messages are not supported";
inline constexpr std::string_view over_limit_reason = "try again later: the server has its maximum of clients";
inline constexpr std::string_view replaced_reason = "replaced by a newer connection";
inline constexpr std::string_view slow_consumer_reason = "slow consumer: too many bytes queued";

}  // namespace wshub
