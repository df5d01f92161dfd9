// Tests validation of POST /broadcast-to-all bodies and the FastAPI error entries it produces.
#include "http/broadcast_request.hpp"
#include "http/message_body.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

namespace wshub {
namespace {

namespace json = boost::json;

json::value only_error(std::string_view body) {
  auto const parsed = parse_broadcast_request(body);
  EXPECT_FALSE(parsed.message.has_value()) << body;
  EXPECT_EQ(parsed.errors.size(), 1U) << body;
  return parsed.errors.empty() ? json::value{} : parsed.errors.front();
}

TEST(BroadcastRequest, ReadsTheMessage) {
  EXPECT_EQ(parse_broadcast_request(R"({"message":"Hello, clients!"})").message, "Hello, clients!");
  EXPECT_EQ(parse_broadcast_request(R"({"message":""})").message, "");
  EXPECT_EQ(parse_broadcast_request(R"( {"other": 1, "message": "caf\u00e9 \ud83d\ude00"} )").message,
            "caf\xc3\xa9 \xf0\x9f\x98\x80");
}

TEST(BroadcastRequest, AnEmptyBodyIsAMissingField) {
  EXPECT_EQ(only_error(""), json::parse(R"({"loc":["body"],"msg":"field required","type":"value_error.missing"})"));
}

TEST(BroadcastRequest, InvalidJsonGivesItsPosition) {
  auto const error = only_error(R"({"message": )");
  EXPECT_EQ(error.at("type"), "value_error.jsondecode");
  EXPECT_EQ(error.at("loc").as_array().at(0), "body");
  EXPECT_TRUE(error.at("loc").as_array().at(1).is_number());
  auto const multi_line = only_error("{\n  \"message\": \"x\",\n  oops\n}");
  EXPECT_EQ(multi_line.at("ctx").at("lineno"), 3);
  EXPECT_EQ(multi_line.at("ctx").at("colno"), 3);
  EXPECT_EQ(multi_line.at("ctx").at("pos"), multi_line.at("loc").at(1));
  EXPECT_EQ(only_error(R"({"message":"x"} trailing)").at("type"), "value_error.jsondecode");
  EXPECT_EQ(only_error("{\"message\":\"\xff\"}").at("type"), "value_error.jsondecode");
}

TEST(BroadcastRequest, ABodyThatIsNotAnObject) {
  auto const expected = json::parse(R"({"loc":["body"],"msg":"value is not a valid dict","type":"type_error.dict"})");
  EXPECT_EQ(only_error(R"(["message"])"), expected);
  EXPECT_EQ(only_error(R"("message")"), expected);
}

TEST(BroadcastRequest, ANullBodyIsAMissingField) {
  EXPECT_EQ(only_error("null"), json::parse(R"({"loc":["body"],"msg":"field required","type":"value_error.missing"})"));
}

TEST(BroadcastRequest, AMissingMessage) {
  EXPECT_EQ(only_error(R"({"text":"hi"})"),
            json::parse(R"({"loc":["body","message"],"msg":"field required","type":"value_error.missing"})"));
}

TEST(BroadcastRequest, AMessageThatIsNotAString) {
  auto const expected = json::parse(R"({"loc":["body","message"],"msg":"str type expected","type":"type_error.str"})");
  EXPECT_EQ(only_error(R"({"message":5})"), expected);
  EXPECT_EQ(only_error(R"({"message":["a"]})"), expected);
}

TEST(BroadcastRequest, OnlyTheTopLevelMessageCountsAndTheLastOneWins) {
  EXPECT_EQ(parse_broadcast_request(R"({"message":"first","message":"last"})").message, "last");
  EXPECT_EQ(parse_broadcast_request(R"({"inner":{"message":"no"},"message":"yes","messages":"no"})").message, "yes");
  EXPECT_EQ(only_error(R"({"message":"text","message":{"message":"nested"}})").at("type"), "type_error.str");
  EXPECT_EQ(only_error(R"({"messag":"x","inner":{"message":"no"}})").at("type"), "value_error.missing");
  EXPECT_EQ(only_error(R"(["message","text"])").at("type"), "type_error.dict");
}

TEST(BroadcastRequest, AMessageWithEscapesIsReadWhole) {
  EXPECT_EQ(parse_broadcast_request(R"({"message":"a\"b\\c\u00e9\n"})").message, "a\"b\\c\xC3\xA9\n");
}

TEST(BroadcastRequest, ANullMessage) {
  EXPECT_EQ(only_error(R"({"message":null})"),
            json::parse(R"({"loc":["body","message"],"msg":"none is not an allowed value",)"
                        R"("type":"type_error.none.not_allowed"})"));
}

// A message beside a value nested `depth` levels deep, counting the enclosing object as one.
std::string nested(std::size_t depth) {
  return R"({"message":"deep","a":)" + std::string(depth - 1, '[') + std::string(depth - 1, ']') + "}";
}

TEST(BroadcastRequest, NestingAsDeepAsPythonsJsonIsRead) {
  EXPECT_EQ(parse_broadcast_request(nested(max_json_depth)).message, "deep");
  auto const error = only_error(nested(max_json_depth + 1));
  EXPECT_EQ(error.at("type"), "value_error.jsondecode");
  EXPECT_EQ(error.at("msg"), "too deep");
}

TEST(BroadcastRequest, AByteOrderMarkBeforeTheJsonIsSkipped) {
  EXPECT_EQ(parse_broadcast_request("\xEF\xBB\xBF{\"message\":\"hi\"}").message, "hi");
  // Python counts the position of an error in the text after the mark.
  auto const error = only_error("\xEF\xBB\xBF{oops}");
  EXPECT_EQ(error.at("ctx").at("pos"), 1);
  EXPECT_EQ(error.at("ctx").at("colno"), 2);
  EXPECT_EQ(only_error("\xEF\xBB\xBF").at("type"), "value_error.jsondecode");
  EXPECT_EQ(only_error("\xEF\xBB{}").at("type"), "value_error.jsondecode");
}

TEST(BroadcastRequest, DeepNestingIsAnErrorNotACrash) {
  std::string const deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_EQ(only_error(deep).at("type"), "value_error.jsondecode");
}

}  // namespace
}  // namespace wshub
