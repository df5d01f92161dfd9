// Tests reading the client id from /ws/{clientId} paths, and the reasons given for refusals.
#include "hub/client_id.hpp"

#include <limits>

#include <gtest/gtest.h>

#include "protocol/close_code.hpp"

namespace wshub {
namespace {

void expect_refused(std::string_view path, std::string_view reason_part) {
  auto const parsed = parse_client_id(path);
  EXPECT_FALSE(parsed.id.has_value()) << path;
  EXPECT_NE(parsed.error.find(reason_part), std::string::npos) << path << ": " << parsed.error;
  EXPECT_LE(parsed.error.size(), max_close_reason_bytes) << path;
}

TEST(ClientId, ReadsDecimalIntegers) {
  EXPECT_EQ(parse_client_id("/ws/1").id, 1);
  EXPECT_EQ(parse_client_id("/ws/-5").id, -5);
  EXPECT_EQ(parse_client_id("/ws/007").id, 7);
  EXPECT_EQ(parse_client_id("/ws/9223372036854775807").id, std::numeric_limits<ClientId>::max());
  EXPECT_EQ(parse_client_id("/ws/-9223372036854775808").id, std::numeric_limits<ClientId>::min());
}

TEST(ClientId, DecodesPercentEncoding) {
  EXPECT_EQ(parse_client_id("/ws/%31%32").id, 12);
  EXPECT_EQ(parse_client_id("/ws/%2D3").id, -3);
}

TEST(ClientId, RefusesAMissingId) {
  expect_refused("/ws", "missing");
  expect_refused("/ws/", "missing");
}

TEST(ClientId, RefusesWhatIsNotAnInteger) {
  expect_refused("/ws/abc", "'abc' is not an integer");
  expect_refused("/ws/1.5", "'1.5' is not an integer");
  expect_refused("/ws/-", "is not an integer");
  expect_refused("/ws/+5", "is not an integer");
  expect_refused("/ws/%20", "is not an integer");
  expect_refused("/ws/0x10", "is not an integer");
}

TEST(ClientId, RefusesOutOfRangeIds) {
  expect_refused("/ws/9223372036854775808", "out of the 64-bit integer range");
  expect_refused("/ws/-9223372036854775809", "out of the 64-bit integer range");
}

TEST(ClientId, RefusesExtraPathSegments) {
  expect_refused("/ws/1/2", "unexpected path segments");
  expect_refused("/ws/1/", "unexpected path segments");
}

TEST(ClientId, KeepsReasonsShortAndPrintable) {
  std::string const long_id = "/ws/" + std::string(500, 'x');
  expect_refused(long_id, "...");
  auto const parsed = parse_client_id("/ws/%FF%00a");
  for (char c : parsed.error) EXPECT_TRUE(c >= 0x20 && c < 0x7f) << parsed.error;
}

}  // namespace
}  // namespace wshub
