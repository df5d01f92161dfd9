// Tests the Host and Transfer-Encoding rules a request's head must keep, on heads read by Beast's parser.
#include "protocol/request_rules.hpp"

#include <gtest/gtest.h>
#include <boost/asio/buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>

#include <string>
#include <string_view>

#include "protocol/http_request_limits.hpp"

namespace wshub {
namespace {

// The rule these head lines break, read as Beast reads a request's head.
error_code broken_rule(std::string_view request_line, std::string_view fields) {
  std::string const head = std::string(request_line).append("\r\n").append(fields).append("\r\n");
  http::request_parser<http::empty_body> parser;
  error_code error;
  parser.put(asio::buffer(head), error);
  EXPECT_FALSE(error) << error.message();
  EXPECT_TRUE(parser.is_header_done());
  return check_request_head(parser.get());
}

error_code rule_for_1_1(std::string_view fields) {
  return broken_rule("POST / HTTP/1.1", fields);
}

TEST(RequestRules, OneHostIsRequiredInHttp11) {
  EXPECT_FALSE(rule_for_1_1("Host: a\r\n"));
  EXPECT_EQ(rule_for_1_1(""), RequestRuleError::missing_host);
  EXPECT_EQ(rule_for_1_1("Host: a\r\nHost: b\r\n"), RequestRuleError::repeated_host);
  EXPECT_EQ(rule_for_1_1("Host: a\r\nhost: a\r\n"), RequestRuleError::repeated_host);
}

TEST(RequestRules, Http10MayLeaveOutHostButNotRepeatIt) {
  EXPECT_FALSE(broken_rule("GET / HTTP/1.0", ""));
  EXPECT_EQ(broken_rule("GET / HTTP/1.0", "Host: a\r\nHost: b\r\n"), RequestRuleError::repeated_host);
}

TEST(RequestRules, ChunkedAloneIsTheOneTransferEncoding) {
  EXPECT_FALSE(rule_for_1_1("Host: a\r\nTransfer-Encoding: chunked\r\n"));
  EXPECT_FALSE(rule_for_1_1("Host: a\r\nTransfer-Encoding: Chunked\r\n"));
  EXPECT_FALSE(rule_for_1_1("Host: a\r\nContent-Length: 3\r\n"));
}

TEST(RequestRules, ABodyWhoseLengthCannotBeKnownIs400) {
  for (auto const coding : {"xchunked", "identity", "chunked, identity", "chunked, gzip", "gzip", ""}) {
    EXPECT_EQ(rule_for_1_1("Host: a\r\nTransfer-Encoding: " + std::string(coding) + "\r\n"),
              RequestRuleError::chunked_not_final)
        << coding;
  }
}

TEST(RequestRules, ACodingBesidesChunkedIs501) {
  EXPECT_EQ(rule_for_1_1("Host: a\r\nTransfer-Encoding: gzip, chunked\r\n"),
            RequestRuleError::unsupported_transfer_coding);
  EXPECT_EQ(rule_for_1_1("Host: a\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n"),
            RequestRuleError::unsupported_transfer_coding);
}

TEST(RequestRules, Http10WithTransferEncodingIs400) {
  EXPECT_EQ(broken_rule("POST / HTTP/1.0", "Transfer-Encoding: chunked\r\n"),
            RequestRuleError::transfer_encoding_in_http_1_0);
}

TEST(RequestRules, EachRefusalIsAnErrorWithItsDetail) {
  error_code const error = RequestRuleError::repeated_host;
  EXPECT_EQ(error.category(), request_rule_category());
  EXPECT_EQ(error.message(), "A request must have only one Host header");
}

}  // namespace
}  // namespace wshub
