// Checks a request's Host and Transfer-Encoding fields as RFC 9112 asks, with an error code for each refusal.
#include "protocol/request_rules.hpp"

#include <string>

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/rfc7230.hpp>

namespace wshub {
namespace {

constexpr unsigned http_1_0 = 10;  // Beast's encoding of the HTTP version

// Each message is the refusal's JSON detail.
class RequestRuleCategory : public boost::system::error_category {
 public:
  char const* name() const noexcept override { return "wshub.request_rule"; }

  std::string message(int value) const override {
    switch (static_cast<RequestRuleError>(value)) {
      case RequestRuleError::missing_host:
        return "An HTTP/1.1 request must have a Host header";
      case RequestRuleError::repeated_host:
        return "A request must have only one Host header";
      case RequestRuleError::transfer_encoding_in_http_1_0:
        return "Transfer-Encoding is not allowed in HTTP/1.0";
      case RequestRuleError::chunked_not_final:
        return "Transfer-Encoding must end with chunked";
      case RequestRuleError::unsupported_transfer_coding:
        return "Only the chunked transfer coding is supported";
      case RequestRuleError::chunk_extensions_too_large:
        return "Chunk extensions are larger than the header limit";
    }
    return "Invalid HTTP request";
  }
};

error_code check_host(http::request_header<> const& head) {
  auto const hosts = head.count(http::field::host);
  if (hosts > 1) return RequestRuleError::repeated_host;
  if (hosts == 0 && head.version() > http_1_0) return RequestRuleError::missing_host;
  return {};
}

// Every coding of every Transfer-Encoding field, in order, must be exactly one "chunked".
error_code check_transfer_encoding(http::request_header<> const& head) {
  auto const [first, last] = head.equal_range(http::field::transfer_encoding);
  if (first == last) return {};
  if (head.version() <= http_1_0) return RequestRuleError::transfer_encoding_in_http_1_0;
  std::size_t codings = 0;
  bool chunked_last = false;
  for (auto field = first; field != last; ++field) {
    for (auto const coding : http::token_list{field->value()}) {
      ++codings;
      chunked_last = beast::iequals(coding, "chunked");
    }
  }
  if (!chunked_last) return RequestRuleError::chunked_not_final;
  if (codings > 1) return RequestRuleError::unsupported_transfer_coding;
  return {};
}

}  // namespace

boost::system::error_category const& request_rule_category() {
  static RequestRuleCategory const category;
  return category;
}

error_code make_error_code(RequestRuleError error) {
  return {static_cast<int>(error), request_rule_category()};
}

error_code check_request_head(http::request_header<> const& head) {
  if (auto const error = check_host(head)) return error;
  return check_transfer_encoding(head);
}

}  // namespace wshub
