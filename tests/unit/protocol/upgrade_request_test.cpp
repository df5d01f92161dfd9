// Tests the plain upgrade request reader: what it takes, what it leaves to Beast, and that Beast agrees with it.
#include "protocol/upgrade_request.hpp"

#include <gtest/gtest.h>
#include <boost/asio/buffer.hpp>

#include <string>
#include <vector>

#include "protocol/http_request_limits.hpp"

namespace wshub {
namespace {

constexpr std::size_t header_limit = 8192;

// What wshub-loadgen and most clients send.
std::string request(std::string_view target = "/ws/1", std::string_view extra_fields = "") {
  return std::string("GET ")
      .append(target)
      .append(" HTTP/1.1\r\nHost: localhost:8000\r\nUpgrade: websocket\r\n")
      .append("Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n")
      .append(extra_fields)
      .append("\r\n");
}

// The same request read by Beast, as HttpSession does when this reader declines.
HttpRequest read_by_beast(std::string const& bytes, std::size_t& used) {
  RequestLimits const limits{.max_header_bytes = header_limit};
  HttpRequestParser parser;
  ChunkExtensionBudget extensions(limits);
  limit_request(parser, extensions, limits);
  error_code error;
  used = parser.put(asio::buffer(bytes), error);
  EXPECT_FALSE(error) << error.message();
  EXPECT_TRUE(parser.is_done());
  return parser.release();
}

bool declined(std::string const& bytes) {
  return !scan_upgrade_request(bytes, header_limit);
}

TEST(UpgradeRequest, ReadsTheTargetTheFieldsAndWhereTheRequestEnds) {
  auto const bytes = request("/ws/42?x=1");
  auto const with_a_frame = bytes + "\x81\x80";  // what follows the head is not the request's
  auto const scanned = scan_upgrade_request(with_a_frame, header_limit);
  ASSERT_TRUE(scanned);
  EXPECT_EQ(scanned->target, "/ws/42?x=1");
  EXPECT_EQ(scanned->head_bytes, bytes.size());
  EXPECT_EQ(scanned->fields.host, "localhost:8000");
  EXPECT_EQ(scanned->fields.upgrade, "websocket");
  EXPECT_EQ(scanned->fields.connection, "Upgrade");
  EXPECT_EQ(scanned->fields.key, "dGhlIHNhbXBsZSBub25jZQ==");
  EXPECT_EQ(scanned->fields.version, "13");
  EXPECT_FALSE(scanned->fields.origin);
}

TEST(UpgradeRequest, NamesIgnoreCaseAndValuesLoseTheirSurroundingSpaces) {
  auto const scanned = scan_upgrade_request(
      "GET /ws HTTP/1.1\r\nhOST:   a  \r\nconnection:keep-alive , Upgrade\r\nORIGIN: https://x\r\nX-Empty:\r\n\r\n",
      header_limit);
  ASSERT_TRUE(scanned);
  EXPECT_EQ(scanned->fields.host, "a");
  EXPECT_EQ(scanned->fields.connection, "keep-alive , Upgrade");
  EXPECT_EQ(scanned->fields.origin, "https://x");
  EXPECT_FALSE(scanned->fields.key);  // the handshake refuses it, through Beast
}

TEST(UpgradeRequest, AnswersAsBeastsReadingDoes) {
  std::vector<std::string> const allowed{"https://app.example.com"};
  for (auto const& bytes : {request(), request("/ws/-7", "Origin: https://APP.example.com\r\n"),
                            request("/ws/1", "Origin: https://evil.example.com\r\n"), request("/ws/x", "X-A: b c\r\n"),
                            request("/ws", "Sec-WebSocket-Protocol: chat\r\n")}) {
    auto const scanned = scan_upgrade_request(bytes, header_limit);
    ASSERT_TRUE(scanned) << bytes;
    std::size_t used = 0;
    auto const beast_request = read_by_beast(bytes, used);
    EXPECT_EQ(used, scanned->head_bytes);
    EXPECT_EQ(beast_request.target(), scanned->target);
    auto const ours = answer_websocket_handshake(scanned->fields, {.allowed_origins = allowed});
    auto const beasts = answer_websocket_handshake(beast_request, {.allowed_origins = allowed});
    EXPECT_EQ(ours.bytes, beasts.bytes) << bytes;
    EXPECT_EQ(ours.refused, beasts.refused);
  }
}

TEST(UpgradeRequest, TheHeaderLimitCountsTheWholeHead) {
  auto const bytes = request();
  EXPECT_TRUE(scan_upgrade_request(bytes, bytes.size()));
  EXPECT_FALSE(scan_upgrade_request(bytes, bytes.size() - 1));
}

TEST(UpgradeRequest, LeavesARequestCutShortToBeast) {
  auto const bytes = request();
  EXPECT_TRUE(declined(bytes.substr(0, bytes.size() - 1)));
  EXPECT_TRUE(declined(""));
}

TEST(UpgradeRequest, LeavesOtherRoutesMethodsAndVersionsToBeast) {
  EXPECT_TRUE(declined(request("/clients")));
  EXPECT_TRUE(declined(request("/wsx")));
  EXPECT_TRUE(declined(request("ws/1")));
  auto post = request();
  post.replace(0, 3, "POST");
  EXPECT_TRUE(declined(post));
  auto lower = request();
  lower.replace(0, 3, "get");
  EXPECT_TRUE(declined(lower));
  auto old = request();
  old.replace(old.find("1.1"), 3, "1.0");
  EXPECT_TRUE(declined(old));
  EXPECT_TRUE(declined(request("/ws/1 extra")));
  EXPECT_TRUE(declined(request("")));
}

TEST(UpgradeRequest, LeavesBodiesAndFieldsBeastInterpretsToBeast) {
  for (auto const* field : {"Content-Length: 0\r\n", "Transfer-Encoding: chunked\r\n", "Expect: 100-continue\r\n",
                            "Proxy-Connection: keep-alive\r\n", "content-length: 5\r\n"}) {
    EXPECT_TRUE(declined(request("/ws/1", field))) << field;
  }
}

TEST(UpgradeRequest, LeavesAnythingUnusualToBeast) {
  for (auto const* field : {"Host: again\r\n", "connection: upgrade\r\n", "Origin: a\r\nOrigin: b\r\n", "X-Tab:\ta\r\n",
                            "X-Fold: a\r\n b\r\n", "X-High: \x80\r\n", "X-Control: \x01\r\n", "X Space: a\r\n",
                            ": no name\r\n", "No-Colon\r\n", "X-Lf: a\n"}) {
    EXPECT_TRUE(declined(request("/ws/1", field))) << field;
  }
  auto bad_list = request();
  bad_list.replace(bad_list.find("Connection: Upgrade"), 19, "Connection: Upgrade,,");
  EXPECT_TRUE(declined(bad_list));
  auto lf_only = request();
  auto const host_line = lf_only.find("\r\nHost");
  ASSERT_NE(host_line, std::string::npos);
  // Erasing the CR rather than replacing "\r\n" with "\n": GCC 12 at -O3 warns (-Wrestrict) about the overlapping
  // copy inside that replace, a false positive.
  lf_only.erase(host_line, 1);
  EXPECT_TRUE(declined(lf_only));
}

TEST(UpgradeRequest, KeepsEveryExtensionsFieldInOrder) {
  // The fields are views into the request's bytes, which must outlive them.
  auto const bytes = request("/ws/1",
                             "Sec-WebSocket-Extensions: x-other\r\nX-A: b\r\n"
                             "sec-websocket-extensions:  permessage-deflate; client_max_window_bits \r\n"
                             "SEC-WEBSOCKET-EXTENSIONS: permessage-deflate\r\n");
  auto const scanned = scan_upgrade_request(bytes, header_limit);
  ASSERT_TRUE(scanned);
  EXPECT_EQ(
      scanned->fields.extensions,
      (std::vector<std::string_view>{"x-other", "permessage-deflate; client_max_window_bits", "permessage-deflate"}));
  EXPECT_TRUE(scan_upgrade_request(request(), header_limit)->fields.extensions.empty());
}

TEST(UpgradeRequest, NegotiatesAsBeastsReadingDoes) {
  HandshakeContext const deflate_on{.deflate = {.enabled = true}};
  for (auto const* fields :
       {"Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n",
        "Sec-WebSocket-Extensions: x\r\nsec-websocket-extensions: permessage-deflate; server_max_window_bits=8\r\n"
        "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=\"12\"\r\n",
        "Sec-WebSocket-Extensions: permessage-deflate; x\r\n", "Sec-WebSocket-Extensions:\r\n",
        "Sec-WebSocket-Extensions: permessage-deflate, \"\r\n"}) {
    auto const bytes = request("/ws/1", fields);
    auto const scanned = scan_upgrade_request(bytes, header_limit);
    ASSERT_TRUE(scanned) << bytes;
    std::size_t used = 0;
    auto const beast_request = read_by_beast(bytes, used);
    for (auto const& context : {HandshakeContext{}, deflate_on}) {
      auto const ours = answer_websocket_handshake(scanned->fields, context);
      auto const beasts = answer_websocket_handshake(beast_request, context);
      EXPECT_FALSE(ours.refused) << bytes;
      EXPECT_EQ(ours.bytes, beasts.bytes) << bytes;
      EXPECT_EQ(ours.deflate, beasts.deflate) << bytes;
    }
  }
  auto const chromium = request("/ws/1", "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n");
  auto const answer = answer_websocket_handshake(scan_upgrade_request(chromium, header_limit)->fields, deflate_on);
  ASSERT_TRUE(answer.deflate);
  EXPECT_NE(answer.bytes.find("\r\nSec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover\r\n"),
            std::string::npos);
}

}  // namespace
}  // namespace wshub
