// Applies the request limits and turns the parser's refusals into FastAPI-shaped 400, 413 and 431 answers.
#include "protocol/http_request_limits.hpp"

#include <algorithm>
#include <cstdint>
#include <string>

#include <boost/beast/http/error.hpp>
#include <boost/beast/http/status.hpp>

#include "protocol/request_rules.hpp"

namespace wshub {
namespace {

constexpr unsigned http_1_1 = 11;  // Beast's encoding of the HTTP version

// Beast's parser reports what it could not read in the http::error category; end of stream and a message
// cut short mean the client went away rather than sent something wrong.
bool is_bad_request(error_code error) {
  bool const client_left = error == http::error::end_of_stream || error == http::error::partial_message;
  return error.category() == http::make_error_code(http::error::bad_version).category() && !client_left;
}

HttpResponse answer_broken_rule(error_code error) {
  bool const unsupported = error == RequestRuleError::unsupported_transfer_coding;
  return error_response(unsupported ? http::status::not_implemented : http::status::bad_request, error.message(),
                        http_1_1);
}

}  // namespace

void ChunkExtensionBudget::operator()(std::uint64_t, std::string_view extensions, error_code& error) {
  if (extensions.size() > bytes_left_) {
    error = RequestRuleError::chunk_extensions_too_large;
    return;
  }
  bytes_left_ -= extensions.size();
}

void limit_request(HttpRequestParser& parser, ChunkExtensionBudget& extensions, RequestLimits const& limits) {
  // Beast counts the header limit in 32 bits; a larger setting means "no limit" in practice.
  parser.header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(limits.max_header_bytes, UINT32_MAX)));
  parser.body_limit(limits.max_body_bytes);
  parser.on_chunk_header(extensions);
}

std::optional<HttpResponse> answer_unreadable_request(error_code read_error, RequestLimits const& limits) {
  // Extensions over their budget, or a trailer section (or one chunk line) over the request buffer's MAX_HEADER_BYTES.
  if (read_error == http::error::buffer_overflow || read_error == RequestRuleError::chunk_extensions_too_large) {
    return error_response(
        http::status::request_header_fields_too_large,
        "Chunk extensions or trailers are larger than " + std::to_string(limits.max_header_bytes) + " bytes", http_1_1);
  }
  if (read_error.category() == request_rule_category()) return answer_broken_rule(read_error);
  if (!is_bad_request(read_error)) return std::nullopt;
  if (read_error == http::error::body_limit) {
    return error_response(http::status::payload_too_large,
                          "Request body is larger than " + std::to_string(limits.max_body_bytes) + " bytes", http_1_1);
  }
  if (read_error == http::error::header_limit) {
    return error_response(
        http::status::request_header_fields_too_large,
        "Request line and headers are larger than " + std::to_string(limits.max_header_bytes) + " bytes", http_1_1);
  }
  return error_response(http::status::bad_request, "Invalid HTTP request", http_1_1);
}

}  // namespace wshub
