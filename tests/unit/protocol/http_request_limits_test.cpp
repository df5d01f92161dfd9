// Tests the limits a request is read under and the answers to requests that cannot be read, without sockets.
#include "protocol/http_request_limits.hpp"

#include <gtest/gtest.h>
#include <boost/asio/buffer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/json.hpp>

#include <string>
#include <vector>

#include "protocol/request_rules.hpp"

namespace wshub {
namespace {

namespace json = boost::json;

constexpr RequestLimits limits{.max_header_bytes = 8 * 1024, .max_body_bytes = 100};

// What Beast's parser says about these bytes when they are the whole request.
error_code parse_error(std::string_view bytes) {
  HttpRequestParser parser;
  ChunkExtensionBudget extensions(limits);
  limit_request(parser, extensions, limits);
  parser.eager(true);
  error_code error;
  parser.put(asio::buffer(bytes.data(), bytes.size()), error);
  return error;
}

// A chunked POST with the given chunk lines (after each size) and trailer section.
std::string chunked(std::vector<std::string> const& extensions, std::string_view trailers = "") {
  std::string request = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (auto const& extension : extensions) request += "1" + extension + "\r\nx\r\n";
  return request.append("0\r\n").append(trailers).append("\r\n");
}

json::value detail_of(HttpResponse const& response) {
  EXPECT_EQ(response[http::field::content_type], "application/json");
  EXPECT_FALSE(response.keep_alive());
  return json::parse(response.body()).at("detail");
}

TEST(HttpRequestLimitsTest, RefusesHeadersOverTheirLimit) {
  std::string const request = "GET / HTTP/1.1\r\nX-Padding: " + std::string(limits.max_header_bytes, 'a') + "\r\n\r\n";
  EXPECT_EQ(parse_error(request), http::error::header_limit);
}

TEST(HttpRequestLimitsTest, RefusesABodyOverTheLimitFromItsLength) {
  EXPECT_EQ(parse_error("POST / HTTP/1.1\r\nContent-Length: 101\r\n\r\n"), http::error::body_limit);
  EXPECT_FALSE(parse_error("POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\n"));
}

TEST(HttpRequestLimitsTest, CountsChunkExtensionsTogetherAgainstTheHeaderLimit) {
  std::string const half(limits.max_header_bytes / 2, 'e');
  EXPECT_FALSE(parse_error(chunked({";a=" + half, ";b"}, "X-Trailer: 1\r\n")));
  EXPECT_EQ(parse_error(chunked({";a=" + half, ";b=" + half})), RequestRuleError::chunk_extensions_too_large);
  EXPECT_EQ(parse_error(chunked({";a=" + std::string(limits.max_header_bytes, 'e')})),
            RequestRuleError::chunk_extensions_too_large);
}

TEST(HttpRequestLimitsTest, AnswersChunkExtensionsOrTrailersOverTheLimitWith431) {
  for (error_code const error :
       {error_code(http::error::buffer_overflow), error_code(RequestRuleError::chunk_extensions_too_large)}) {
    auto const response = answer_unreadable_request(error, limits);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->result(), http::status::request_header_fields_too_large);
    EXPECT_EQ(detail_of(*response), "Chunk extensions or trailers are larger than 8192 bytes");
  }
}

TEST(HttpRequestLimitsTest, AnswersABrokenRuleWith400AndAnUnsupportedCodingWith501) {
  auto const no_host = answer_unreadable_request(RequestRuleError::missing_host, limits);
  ASSERT_TRUE(no_host);
  EXPECT_EQ(no_host->result(), http::status::bad_request);
  EXPECT_EQ(detail_of(*no_host), "An HTTP/1.1 request must have a Host header");
  auto const gzip = answer_unreadable_request(RequestRuleError::unsupported_transfer_coding, limits);
  ASSERT_TRUE(gzip);
  EXPECT_EQ(gzip->result(), http::status::not_implemented);
  EXPECT_EQ(detail_of(*gzip), "Only the chunked transfer coding is supported");
}

TEST(HttpRequestLimitsTest, AnswersABodyOverTheLimitWith413NamingIt) {
  auto const response = answer_unreadable_request(http::error::body_limit, limits);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result(), http::status::payload_too_large);
  EXPECT_EQ(detail_of(*response), "Request body is larger than 100 bytes");
}

TEST(HttpRequestLimitsTest, AnswersHeadersOverTheLimitWith431) {
  auto const response = answer_unreadable_request(http::error::header_limit, limits);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result(), http::status::request_header_fields_too_large);
  EXPECT_EQ(detail_of(*response), "Request line and headers are larger than 8192 bytes");
}

TEST(HttpRequestLimitsTest, AnswersWhatIsNotHttpWith400) {
  auto const response = answer_unreadable_request(parse_error("HELLO\r\n\r\n"), limits);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result(), http::status::bad_request);
  EXPECT_EQ(detail_of(*response), "Invalid HTTP request");
}

TEST(HttpRequestLimitsTest, AnswersNobodyWhenTheClientLeftOrWasTooSlow) {
  EXPECT_FALSE(answer_unreadable_request(http::error::end_of_stream, limits));
  EXPECT_FALSE(answer_unreadable_request(http::error::partial_message, limits));
  EXPECT_FALSE(answer_unreadable_request(beast::error::timeout, limits));
}

}  // namespace
}  // namespace wshub
