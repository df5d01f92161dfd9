// The limits an HTTP request is read under, and the answer to a request that breaks them or is not HTTP.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/system/error_code.hpp>

#include "protocol/http_message.hpp"
#include "protocol/net.hpp"

namespace wshub {

using HttpRequestParser = http::request_parser<http::string_body>;

struct RequestLimits {
  std::size_t max_header_bytes = 8 * 1024;  // the request line and headers; Beast's default
  std::size_t max_body_bytes = 16 * 1024 * 1024;
};

// Counts the extensions of a chunked body, together, against the header limit: Beast's parser hands each one
// over (as its on_chunk_header callback) but bounds them only by the buffer it reads into.
class ChunkExtensionBudget {
 public:
  explicit ChunkExtensionBudget(RequestLimits const& limits) : bytes_left_(limits.max_header_bytes) {}
  void operator()(std::uint64_t chunk_bytes, std::string_view extensions, error_code& error);

 private:
  std::size_t bytes_left_;
};

// Prepares a parser for one request under the limits; the budget must live as long as the parser reads.
void limit_request(HttpRequestParser& parser, ChunkExtensionBudget& extensions, RequestLimits const& limits);

// The answer to a request the parser refused: 413 for a body over its limit, 431 for headers, chunk extensions or
// trailers over theirs, 400 (501 for a transfer coding we do not decode) for a request that breaks HTTP's rules.
// None when the client left, stopped mid-request or was too slow: nobody is there to read an answer.
std::optional<HttpResponse> answer_unreadable_request(error_code read_error, RequestLimits const& limits);

}  // namespace wshub
