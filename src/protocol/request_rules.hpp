// The rules of RFC 9112 a request's head must keep before its body is read, which Beast's parser leaves to us.
#pragma once

#include <type_traits>

#include <boost/beast/http/message.hpp>
#include <boost/system/error_code.hpp>

#include "protocol/net.hpp"

namespace wshub {

// A request broke one of the rules; each refusal closes the connection, so no byte of its body is read as a request.
enum class RequestRuleError {
  missing_host = 1,               // 400: HTTP/1.1 without Host (RFC 9112 section 3.2)
  repeated_host,                  // 400: more than one Host
  transfer_encoding_in_http_1_0,  // 400: HTTP/1.0 has no chunked coding to frame a body (section 6.1)
  chunked_not_final,              // 400: the body's length cannot be known (section 6.3)
  unsupported_transfer_coding,    // 501: a coding besides chunked, which we do not decode (section 6.1)
  chunk_extensions_too_large,     // 431: the extensions of a chunked body, together, over the header limit
};

boost::system::error_category const& request_rule_category();
error_code make_error_code(RequestRuleError error);

// The first rule the head breaks, or no error.
error_code check_request_head(http::request_header<> const& head);

}  // namespace wshub

template <>
struct boost::system::is_error_code_enum<wshub::RequestRuleError> : std::true_type {};
