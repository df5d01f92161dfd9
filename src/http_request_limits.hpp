// The limits an HTTP request is read under, and the answer to a request that breaks them or is not HTTP.
#pragma once

#include <cstddef>
#include <optional>

#include "http_api.hpp"
#include "net.hpp"

namespace wshub {

using HttpRequestParser = http::request_parser<http::string_body>;

struct RequestLimits {
  std::size_t max_header_bytes = 8 * 1024;  // the request line and headers; Beast's default
  std::size_t max_body_bytes = 16 * 1024 * 1024;
};

// Prepares a parser for one request under the limits.
void limit_request(HttpRequestParser& parser, RequestLimits const& limits);

// The answer to a request the parser refused: 413 for a body over its limit, 431 for headers over theirs, 400 (501
// for a transfer coding we do not decode) for a request that breaks HTTP's rules. None when the client left,
// stopped mid-request or was too slow: nobody is there to read an answer.
std::optional<HttpResponse> answer_unreadable_request(error_code read_error, RequestLimits const& limits);

}  // namespace wshub
