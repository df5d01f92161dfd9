// The Date field every response carries (RFC 9110 section 6.6.1), in the one format HTTP allows a server to send.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace wshub {

// IMF-fixdate (RFC 9110 section 5.6.7): "Sun, 06 Nov 1994 08:49:37 GMT".
std::string http_date(std::chrono::sys_seconds time);

// http_date() of the current second, formatted once a second per thread: every response asks for it.
std::string_view http_date_now();

}  // namespace wshub
