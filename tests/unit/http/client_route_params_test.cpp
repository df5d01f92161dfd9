// Tests the /clients/{clientId} routes' parameters: the id in the path, DELETE's code and reason, and their 422s.
#include "http/client_route_params.hpp"

#include <limits>

#include <gtest/gtest.h>
#include <boost/json.hpp>

namespace wshub {
namespace {

namespace json = boost::json;

json::value const not_an_integer_id =
    json::parse(R"({"loc":["path","clientId"],"msg":"value is not a valid integer","type":"type_error.integer"})");
json::value const not_an_integer_code =
    json::parse(R"({"loc":["query","code"],"msg":"value is not a valid integer","type":"type_error.integer"})");
json::value const not_a_close_code =
    json::parse(R"({"loc":["query","code"],"msg":"close code must be 1000 or 3000-4999","type":"value_error"})");
json::value const reason_too_long =
    json::parse(R"({"loc":["query","reason"],"msg":"ensure this value has at most 123 bytes",)"
                R"("type":"value_error.any_str.max_length","ctx":{"limit_value":123}})");

// The one error a query gives.
json::value only_query_error(std::string_view target) {
  auto const parsed = parse_close_query(target);
  EXPECT_FALSE(parsed.close.has_value()) << target;
  EXPECT_EQ(parsed.errors.size(), 1U) << target;
  return parsed.errors.empty() ? json::value{} : parsed.errors.front();
}

CloseRequest close_of(std::string_view target) {
  auto const parsed = parse_close_query(target);
  EXPECT_TRUE(parsed.errors.empty()) << target << ": " << json::serialize(parsed.errors);
  return parsed.close.value_or(CloseRequest{.code = CloseCode::going_away, .reason = "not parsed"});
}

TEST(PathClientId, ReadsASignedDecimalId) {
  EXPECT_EQ(parse_path_client_id("7").id, 7);
  EXPECT_EQ(parse_path_client_id("-42").id, -42);
  EXPECT_EQ(parse_path_client_id("9223372036854775807").id, std::numeric_limits<ClientId>::max());
  EXPECT_EQ(parse_path_client_id("-9223372036854775808").id, std::numeric_limits<ClientId>::min());
  EXPECT_TRUE(parse_path_client_id("7").errors.empty());
}

TEST(PathClientId, DecodesThePercentEncodedSegment) {
  EXPECT_EQ(parse_path_client_id("%31%32").id, 12);
  EXPECT_EQ(parse_path_client_id("%2D3").id, -3);
}

TEST(PathClientId, ANonIntegerIsTheOne422Entry) {
  for (std::string_view const segment :
       {"abc", "-", "", "1.5", "1e3", "%2", "7%20", "--1", "9223372036854775808", "-9223372036854775809"}) {
    auto const parsed = parse_path_client_id(segment);
    EXPECT_FALSE(parsed.id.has_value()) << segment;
    ASSERT_EQ(parsed.errors.size(), 1U) << segment;
    EXPECT_EQ(parsed.errors.front(), not_an_integer_id) << segment;
  }
}

TEST(CloseQuery, WithoutParametersTheCloseIsNormalAndSaysTheServerClosedIt) {
  for (std::string_view const target : {"/clients/7", "/clients/7?", "/clients/7?other=1&&x"}) {
    auto const close = close_of(target);
    EXPECT_EQ(close.code, CloseCode::normal) << target;
    EXPECT_EQ(close.reason, "closed by the server") << target;
  }
}

TEST(CloseQuery, ReadsTheCodeAndTheDecodedReason) {
  auto const close = close_of("/clients/7?code=4001&reason=gone+away%21%20now");
  EXPECT_EQ(close.code, static_cast<CloseCode>(4001));
  EXPECT_EQ(close.reason, "gone away! now");
}

TEST(CloseQuery, ParameterNamesAreDecodedToo) {
  EXPECT_EQ(close_of("/clients/7?%63ode=3000").code, static_cast<CloseCode>(3000));
}

TEST(CloseQuery, TheLastOfARepeatedParameterWins) {
  auto const close = close_of("/clients/7?code=4999&reason=first&code=3001&reason=last");
  EXPECT_EQ(close.code, static_cast<CloseCode>(3001));
  EXPECT_EQ(close.reason, "last");
  EXPECT_EQ(only_query_error("/clients/7?code=3000&code=x"), not_an_integer_code);
  EXPECT_EQ(close_of("/clients/7?code=x&code=3000").code, static_cast<CloseCode>(3000));
}

TEST(CloseQuery, AnEmptyReasonIsKeptEmpty) {
  EXPECT_EQ(close_of("/clients/7?reason=").reason, "");
  EXPECT_EQ(close_of("/clients/7?reason").reason, "");
}

TEST(CloseQuery, OnlyTheCodesAnApplicationMayChooseAreAccepted) {
  for (int const code : {1000, 3000, 4999}) {
    EXPECT_EQ(close_of("/clients/7?code=" + std::to_string(code)).code, static_cast<CloseCode>(code)) << code;
  }
  for (int const code : {1001, 2999, 5000, 0, -1000, 1011}) {
    EXPECT_EQ(only_query_error("/clients/7?code=" + std::to_string(code)), not_a_close_code) << code;
  }
}

TEST(CloseQuery, ACodeThatIsNotAnIntegerIsSaidToBeOne) {
  for (std::string_view const target :
       {"/clients/7?code=", "/clients/7?code", "/clients/7?code=abc", "/clients/7?code=1000.0", "/clients/7?code=1000x",
        "/clients/7?code=99999999999"}) {
    EXPECT_EQ(only_query_error(target), not_an_integer_code) << target;
  }
}

TEST(CloseQuery, AReasonOf123BytesFitsACloseFrameAnd124DoNot) {
  EXPECT_EQ(close_of("/clients/7?reason=" + std::string(123, 'r')).reason, std::string(123, 'r'));
  EXPECT_EQ(only_query_error("/clients/7?reason=" + std::string(124, 'r')), reason_too_long);
}

TEST(CloseQuery, AReasonIsCountedInBytesOfUtf8NotInCharacters) {
  std::string const euro_41 = [] {
    std::string text;
    for (int i = 0; i < 41; ++i) text += "%E2%82%AC";  // 41 three-byte characters: 123 bytes
    return text;
  }();
  EXPECT_EQ(close_of("/clients/7?reason=" + euro_41).reason.size(), 123U);
  EXPECT_EQ(only_query_error("/clients/7?reason=" + euro_41 + "x"), reason_too_long);
}

TEST(CloseQuery, AReasonThatIsNotUtf8IsRefused) {
  auto const expected =
      json::parse(R"({"loc":["query","reason"],"msg":"value is not valid UTF-8","type":"value_error.str.utf8"})");
  EXPECT_EQ(only_query_error("/clients/7?reason=%FF"), expected);
  EXPECT_EQ(only_query_error("/clients/7?reason=a%E2%82"), expected);
  EXPECT_EQ(only_query_error("/clients/7?reason=%ED%A0%80"), expected);
}

TEST(CloseQuery, BothBadParametersAreReportedCodeFirst) {
  auto const parsed = parse_close_query("/clients/7?reason=" + std::string(200, 'r') + "&code=2000");
  EXPECT_FALSE(parsed.close.has_value());
  ASSERT_EQ(parsed.errors.size(), 2U);
  EXPECT_EQ(parsed.errors[0], not_a_close_code);
  EXPECT_EQ(parsed.errors[1], reason_too_long);
}

}  // namespace
}  // namespace wshub
