// Tests validation of POST /send-to-clients bodies: the ids as listed, the message, and every field's 422 entries.
#include "http/send_to_clients_request.hpp"

#include <string>

#include <gtest/gtest.h>
#include <boost/json.hpp>

namespace wshub {
namespace {

namespace json = boost::json;
using Ids = std::vector<ClientId>;

// {"clients":[0,1,...,count-1],"message":"m"}
std::string listing(std::size_t count) {
  std::string text = R"({"clients":[)";
  for (std::size_t i = 0; i < count; ++i) {
    if (i > 0) text += ',';
    text += std::to_string(i);
  }
  return text + R"(],"message":"m"})";
}

json::array errors_of(std::string_view body) {
  auto const parsed = parse_send_to_clients_request(body);
  EXPECT_FALSE(parsed.send.has_value()) << body;
  return parsed.errors;
}

TEST(SendToClientsRequest, ReadsTheIdsAsListedRepeatsAndAllAndTheMessage) {
  auto const parsed = parse_send_to_clients_request(R"({"message":"hi","clients":[3,1,3,-2,1]})");
  ASSERT_TRUE(parsed.send.has_value());
  EXPECT_TRUE(parsed.errors.empty());
  EXPECT_EQ(parsed.send->ids, (Ids{3, 1, 3, -2, 1}));
  EXPECT_EQ(parsed.send->message, "hi");
}

TEST(SendToClientsRequest, AnEmptyListIsASendToNobody) {
  auto const parsed = parse_send_to_clients_request(R"({"clients":[],"message":""})");
  ASSERT_TRUE(parsed.send.has_value());
  EXPECT_TRUE(parsed.send->ids.empty());
}

TEST(SendToClientsRequest, BothFieldsErrorsComeTogetherClientsFirstAsDeclared) {
  EXPECT_EQ(errors_of(R"({"message":5,"clients":"x"})"),
            json::parse(R"([{"loc":["body","clients"],"msg":"value is not a valid list","type":"type_error.list"},)"
                        R"({"loc":["body","message"],"msg":"str type expected","type":"type_error.str"}])"));
  EXPECT_EQ(errors_of("{}"),
            json::parse(R"([{"loc":["body","clients"],"msg":"field required","type":"value_error.missing"},)"
                        R"({"loc":["body","message"],"msg":"field required","type":"value_error.missing"}])"));
  EXPECT_EQ(
      errors_of(R"({"clients":[1,"a",2.5]})"),
      json::parse(R"([{"loc":["body","clients",1],"msg":"value is not a valid integer","type":"type_error.integer"},)"
                  R"({"loc":["body","clients",2],"msg":"value is not a valid integer","type":"type_error.integer"},)"
                  R"({"loc":["body","message"],"msg":"field required","type":"value_error.missing"}])"));
}

TEST(SendToClientsRequest, ABodyThatIsNoObjectIsOnlyThatError) {
  EXPECT_EQ(errors_of(R"([{"clients":[1],"message":"m"}])"),
            json::parse(R"([{"loc":["body"],"msg":"value is not a valid dict","type":"type_error.dict"}])"));
  EXPECT_EQ(errors_of(""), json::parse(R"([{"loc":["body"],"msg":"field required","type":"value_error.missing"}])"));
  auto const invalid = errors_of(R"({"clients":[1,)");
  ASSERT_EQ(invalid.size(), 1U);
  EXPECT_EQ(invalid.front().at("type"), "value_error.jsondecode");
}

TEST(SendToClientsRequest, TenThousandIdsAreAccepted) {
  auto const parsed = parse_send_to_clients_request(listing(max_send_to_clients));
  ASSERT_TRUE(parsed.send.has_value());
  EXPECT_EQ(parsed.send->ids.size(), 10'000U);
  EXPECT_EQ(parsed.send->ids.back(), 9'999);
}

TEST(SendToClientsRequest, TenThousandAndOneIdsAreRefusedWithTheLimit) {
  EXPECT_EQ(errors_of(listing(max_send_to_clients + 1)),
            json::parse(R"([{"loc":["body","clients"],"msg":"ensure this value has at most 10000 items",)"
                        R"("type":"value_error.list.max_items","ctx":{"limit_value":10000}}])"));
}

}  // namespace
}  // namespace wshub
