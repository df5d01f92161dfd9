// Tests reading a message route's JSON body in one pass, and the pydantic 1 entries for its document and fields.
#include "http/message_body.hpp"

#include <limits>
#include <string>

#include <gtest/gtest.h>
#include <boost/json.hpp>

namespace wshub {
namespace {

namespace json = boost::json;
using Ids = std::vector<ClientId>;
using Indexes = std::vector<std::size_t>;

MessageBody body_of(std::string_view text) {
  auto read = read_message_body(text);
  EXPECT_TRUE(read.errors.empty()) << text << ": " << json::serialize(read.errors);
  return read.body.value_or(MessageBody{});
}

// A "clients" list of the given entries, each one as written.
std::string clients_of(std::size_t count, std::string_view entry) {
  std::string text = R"({"clients":[)";
  for (std::size_t i = 0; i < count; ++i) {
    if (i > 0) text += ',';
    text += entry;
  }
  return text + "]}";
}

json::value const missing_body = json::parse(R"({"loc":["body"],"msg":"field required","type":"value_error.missing"})");

TEST(MessageBody, ReadsTheDocumentAndBothFields) {
  auto const body = body_of(R"({"clients":[7,-3,7],"message":"hi"})");
  EXPECT_EQ(body.document, JsonKind::object);
  EXPECT_EQ(body.message, JsonKind::string);
  EXPECT_EQ(body.text, "hi");
  EXPECT_EQ(body.clients, JsonKind::array);
  EXPECT_EQ(body.entries, 3U);
  EXPECT_EQ(body.ids, (Ids{7, -3, 7}));
  EXPECT_TRUE(body.bad_entries.empty());
}

TEST(MessageBody, AnEmptyBodyIsABodyWithNoDocument) {
  auto const read = read_message_body("");
  ASSERT_TRUE(read.body.has_value());
  EXPECT_TRUE(read.errors.empty());
  EXPECT_EQ(read.body->document, JsonKind::none);
  EXPECT_EQ(document_errors(*read.body), json::array{missing_body});
}

TEST(MessageBody, TheKindOfEachTopLevelDocumentIsKept) {
  EXPECT_EQ(body_of("null").document, JsonKind::null);
  EXPECT_EQ(body_of(R"("text")").document, JsonKind::string);
  EXPECT_EQ(body_of("[1]").document, JsonKind::array);
  EXPECT_EQ(body_of("3.5").document, JsonKind::other);
  EXPECT_EQ(body_of(" {} ").document, JsonKind::object);
}

TEST(MessageBody, TheLastOfARepeatedFieldWins) {
  auto const body = body_of(R"({"message":"first","clients":[1,"x"],"message":5,"clients":[3]})");
  EXPECT_EQ(body.message, JsonKind::other);
  EXPECT_EQ(body.text, "");
  EXPECT_EQ(body.entries, 1U);
  EXPECT_EQ(body.ids, Ids{3});
  EXPECT_TRUE(body.bad_entries.empty());
  auto const list_last = body_of(R"({"clients":{"a":1},"clients":[4,5]})");
  EXPECT_EQ(list_last.clients, JsonKind::array);
  EXPECT_EQ(list_last.ids, (Ids{4, 5}));
  auto const list_first = body_of(R"({"clients":[4,5],"clients":null})");
  EXPECT_EQ(list_first.clients, JsonKind::null);
  EXPECT_EQ(list_first.entries, 0U);
  EXPECT_TRUE(list_first.ids.empty());
}

TEST(MessageBody, FieldsOfNestedObjectsAreIgnored) {
  auto const body = body_of(R"({"inner":{"message":"no","clients":[1]},"list":[{"clients":[2]}]})");
  EXPECT_EQ(body.message, JsonKind::none);
  EXPECT_EQ(body.clients, JsonKind::none);
  EXPECT_TRUE(body.ids.empty());
  EXPECT_EQ(body_of(R"([{"message":"no"}])").message, JsonKind::none);
}

TEST(MessageBody, OnlyTheListsOwnEntriesCountNotWhatTheyHold) {
  auto const body = body_of(R"({"clients":[[1,2],{"a":3},4,[5]],"after":[6]})");
  EXPECT_EQ(body.entries, 4U);
  EXPECT_EQ(body.ids, Ids{4});
  EXPECT_EQ(body.bad_entries, (Indexes{0, 1, 3}));
}

TEST(MessageBody, AnEntryIsAnIdOnlyIfItIsAnIntegerThatFitsIn64SignedBits) {
  auto const body =
      body_of(R"({"clients":[9223372036854775807,9223372036854775808,-9223372036854775808,18446744073709551615,)"
              R"(1.0,"2",true,null,1e2]})");
  EXPECT_EQ(body.ids, (Ids{std::numeric_limits<ClientId>::max(), std::numeric_limits<ClientId>::min()}));
  EXPECT_EQ(body.bad_entries, (Indexes{1, 3, 4, 5, 6, 7, 8}));
  EXPECT_EQ(body.entries, 9U);
}

TEST(MessageBody, AtMostOnePastTheLargestListIsKeptButEveryEntryIsCounted) {
  auto const ids = body_of(clients_of(MessageBody::max_kept_entries + 5, "1"));
  EXPECT_EQ(ids.entries, MessageBody::max_kept_entries + 5);
  EXPECT_EQ(ids.ids.size(), MessageBody::max_kept_entries);
  auto const bad = body_of(clients_of(MessageBody::max_kept_entries + 5, "\"x\""));
  EXPECT_EQ(bad.entries, MessageBody::max_kept_entries + 5);
  EXPECT_EQ(bad.bad_entries.size(), MessageBody::max_kept_entries);
  EXPECT_EQ(bad.bad_entries.back(), MessageBody::max_kept_entries - 1);
}

TEST(MessageBody, AByteOrderMarkIsSkipped) {
  EXPECT_EQ(json_text_of("\xEF\xBB\xBF{}"), "{}");
  EXPECT_EQ(json_text_of("{}\xEF\xBB\xBF"), "{}\xEF\xBB\xBF");
  EXPECT_EQ(body_of("\xEF\xBB\xBF{\"message\":\"bom\"}").text, "bom");
}

TEST(MessageBody, JsonThatDoesNotParseIsOneEntryWithWhereItStopped) {
  auto const read = read_message_body("{\"message\":\n tru}");
  EXPECT_FALSE(read.body.has_value());
  ASSERT_EQ(read.errors.size(), 1U);
  auto const& error = read.errors.front();
  EXPECT_EQ(error.at("type"), "value_error.jsondecode");
  EXPECT_EQ(error.at("ctx").at("lineno"), 2);
  EXPECT_EQ(error.at("loc").at(1), error.at("ctx").at("pos"));
  EXPECT_FALSE(read_message_body("{} {}").body.has_value());
}

TEST(MessageBody, TheDocumentMustBeAnObject) {
  auto const not_a_dict = json::parse(R"({"loc":["body"],"msg":"value is not a valid dict","type":"type_error.dict"})");
  EXPECT_EQ(document_errors(body_of("null")), json::array{missing_body});
  EXPECT_EQ(document_errors(body_of("[]")), json::array{not_a_dict});
  EXPECT_EQ(document_errors(body_of("7")), json::array{not_a_dict});
  EXPECT_TRUE(document_errors(body_of("{}")).empty());
}

TEST(MessageBody, TheMessageMustBeAString) {
  EXPECT_EQ(message_errors(body_of("{}")),
            json::parse(R"([{"loc":["body","message"],"msg":"field required","type":"value_error.missing"}])"));
  EXPECT_EQ(message_errors(body_of(R"({"message":null})")),
            json::parse(R"([{"loc":["body","message"],"msg":"none is not an allowed value",)"
                        R"("type":"type_error.none.not_allowed"}])"));
  auto const not_a_string =
      json::parse(R"([{"loc":["body","message"],"msg":"str type expected","type":"type_error.str"}])");
  EXPECT_EQ(message_errors(body_of(R"({"message":{}})")), not_a_string);
  EXPECT_EQ(message_errors(body_of(R"({"message":false})")), not_a_string);
  EXPECT_TRUE(message_errors(body_of(R"({"message":""})")).empty());
}

TEST(MessageBody, TheClientsMustBeAListOfIntegers) {
  EXPECT_EQ(clients_errors(body_of("{}"), 10),
            json::parse(R"([{"loc":["body","clients"],"msg":"field required","type":"value_error.missing"}])"));
  EXPECT_EQ(clients_errors(body_of(R"({"clients":null})"), 10),
            json::parse(R"([{"loc":["body","clients"],"msg":"none is not an allowed value",)"
                        R"("type":"type_error.none.not_allowed"}])"));
  auto const not_a_list =
      json::parse(R"([{"loc":["body","clients"],"msg":"value is not a valid list","type":"type_error.list"}])");
  EXPECT_EQ(clients_errors(body_of(R"({"clients":"1,2"})"), 10), not_a_list);
  EXPECT_EQ(clients_errors(body_of(R"({"clients":{"0":1}})"), 10), not_a_list);
  EXPECT_EQ(
      clients_errors(body_of(R"({"clients":[1,"a",2,null]})"), 10),
      json::parse(R"([{"loc":["body","clients",1],"msg":"value is not a valid integer","type":"type_error.integer"},)"
                  R"({"loc":["body","clients",3],"msg":"value is not a valid integer","type":"type_error.integer"}])"));
  EXPECT_TRUE(clients_errors(body_of(R"({"clients":[]})"), 10).empty());
}

TEST(MessageBody, AListLongerThanAllowedIsOneEntryWhateverItsEntries) {
  EXPECT_TRUE(clients_errors(body_of(R"({"clients":[1,2,3]})"), 3).empty());
  EXPECT_EQ(clients_errors(body_of(R"({"clients":[1,"x",3,4]})"), 3),
            json::parse(R"([{"loc":["body","clients"],"msg":"ensure this value has at most 3 items",)"
                        R"("type":"value_error.list.max_items","ctx":{"limit_value":3}}])"));
}

TEST(MessageBody, AValidationErrorHasItsContextOnlyWhenGiven) {
  EXPECT_EQ(validation_error({"body"}, "m", "t"), json::parse(R"({"loc":["body"],"msg":"m","type":"t"})"));
  EXPECT_EQ(validation_error({"query", "x"}, "m", "t", {{"limit_value", 1}}),
            json::parse(R"({"loc":["query","x"],"msg":"m","type":"t","ctx":{"limit_value":1}})"));
}

}  // namespace
}  // namespace wshub
