// The limits an HTTP request is read under, and the answer to a request that breaks them or is not HTTP.
#pragma once

#include <cstddef>
#include <optional>

#include "http_api.hpp"
#include "net.hpp"

namespace wshub {

using HttpRequestParser = http::request_parser<http::string_body>;

// Beast's default, stated here because the README promises it: the request line and headers fit in 8 KiB.
inline constexpr std::size_t max_request_header_bytes = 8 * 1024;

// Prepares a parser for one request: headers up to max_request_header_bytes, a body up to max_body_bytes.
void limit_request(HttpRequestParser& parser, std::size_t max_body_bytes);

// The answer to a request the parser refused: 413 for a body over its limit, 431 for headers over theirs, 400 for
// bytes that are not HTTP. None when the client left or stopped mid-request: nobody is there to read an answer.
std::optional<HttpResponse> answer_unreadable_request(error_code read_error, std::size_t max_body_bytes);

}  // namespace wshub
