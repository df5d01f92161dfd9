// Tests of the load generator's permessage-deflate negotiation (bench/loadgen/deflate_agreement): the answers it
// takes from a server, and those that must fail the connection.
#include "deflate_agreement.hpp"

#include <gtest/gtest.h>

namespace loadgen {
namespace {

TEST(DeflateAgreementTest, FindsTheHeaderWhateverItsCaseAndJoinsRepeats) {
  const std::string head =
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nsec-websocket-EXTENSIONS:  permessage-deflate \r\n"
      "Sec-WebSocket-Extensions: x-other\r\n";
  EXPECT_EQ(extensions_header(head), "permessage-deflate, x-other");
  EXPECT_EQ(extensions_header("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket"), "");
}

TEST(DeflateAgreementTest, NoAnswerMeansNoCompression) {
  const ExtensionAnswer answer = read_extension_answer("", true);
  EXPECT_FALSE(answer.agreement);
  EXPECT_EQ(answer.error, "");
}

TEST(DeflateAgreementTest, PlainAcceptanceKeepsContextBothWays) {
  const ExtensionAnswer answer = read_extension_answer("permessage-deflate", true);
  ASSERT_TRUE(answer.agreement);
  EXPECT_FALSE(answer.agreement->server_no_context_takeover);
  EXPECT_FALSE(answer.agreement->client_no_context_takeover);
  EXPECT_EQ(answer.agreement->client_max_window_bits, 15);
}

TEST(DeflateAgreementTest, ReadsEveryParameter) {
  const ExtensionAnswer answer = read_extension_answer(
      "permessage-deflate; server_no_context_takeover;client_no_context_takeover; server_max_window_bits=10; "
      "client_max_window_bits=\"12\"",
      true);
  ASSERT_TRUE(answer.agreement) << answer.error;
  EXPECT_TRUE(answer.agreement->server_no_context_takeover);
  EXPECT_TRUE(answer.agreement->client_no_context_takeover);
  EXPECT_EQ(answer.agreement->server_max_window_bits, 10);
  EXPECT_EQ(answer.agreement->client_max_window_bits, 12);
}

TEST(DeflateAgreementTest, AnAnswerWithoutAnOfferFails) {
  EXPECT_NE(read_extension_answer("permessage-deflate", false).error, "");
}

TEST(DeflateAgreementTest, AnswersThatBreakTheRfcFail) {
  for (const char* answer :
       {"x-webkit-deflate-frame", "permessage-deflate, permessage-deflate",
        "permessage-deflate; client_max_window_bits", "permessage-deflate; server_max_window_bits=16",
        "permessage-deflate; server_max_window_bits=7", "permessage-deflate; unknown_parameter",
        "permessage-deflate; server_no_context_takeover=1",
        "permessage-deflate; server_no_context_takeover; server_no_context_takeover"}) {
    const ExtensionAnswer read = read_extension_answer(answer, true);
    EXPECT_FALSE(read.agreement) << answer;
    EXPECT_NE(read.error, "") << answer;
  }
}

TEST(DeflateAgreementTest, AClientWindowZlibCannotProduceFails) {
  EXPECT_NE(read_extension_answer("permessage-deflate; client_max_window_bits=8", true).error, "");
  EXPECT_TRUE(read_extension_answer("permessage-deflate; client_max_window_bits=9", true).agreement);
}

}  // namespace
}  // namespace loadgen
