// The WebSocket close codes wshub chooses, and the fixed reasons that go with them, in one place.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace wshub {

// RFC 6455 section 7.4.1 codes, kept independent of Beast so that the hub needs no protocol headers.
// Beast itself sends 1007 (invalid UTF-8) and 1009 (message over the limit) when it reads one.
enum class CloseCode : std::uint16_t {
  going_away = 1001,
  unsupported_data = 1003,
  policy_violation = 1008,
};

// RFC 6455 section 5.5: a control frame carries at most 125 bytes, two of which are the code.
inline constexpr std::size_t max_close_reason_bytes = 123;

inline constexpr std::string_view shutting_down_reason = "server shutting down";
inline constexpr std::string_view binary_unsupported_reason = "binary messages are not supported";

}  // namespace wshub
