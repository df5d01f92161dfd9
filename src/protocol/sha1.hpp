// SHA-1 (FIPS 180-4), which RFC 6455 uses to derive Sec-WebSocket-Accept; not for anything that needs security.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace wshub {

std::array<std::uint8_t, 20> sha1(std::string_view data);

}  // namespace wshub
