// Tests the scripts that reach clients held by other nodes, in a real redis-server: how a request is routed to the
// live nodes holding its ids, and where one client is held.
#include "cluster/redis_scripts.hpp"

#include <gtest/gtest.h>

#include "redis_fixture.hpp"

namespace wshub {
namespace {

using Texts = std::vector<std::string>;

class RouteScriptTest : public testing::RedisFixture {
 protected:
  void SetUp() override { connect(); }

  // As ClientRequests runs it for cluster "t": node "a" sends text to the ids, as request 5.
  RedisReply route(Texts const& ids, std::string const& op = "send", std::string const& code = "1000") {
    Texts command{"EVAL",
                  std::string(redis_scripts::route),
                  "2",
                  "t:owners",
                  "t:broadcasts",
                  "a",
                  "t:node:",
                  "0",
                  "5",
                  op,
                  "the text",
                  code};
    command.insert(command.end(), ids.begin(), ids.end());
    return ask(command);
  }

  // As ClientClaims runs it: the claim functions first, then the keys and node "a".
  RedisReply locate(std::string const& id) {
    return ask({"EVAL", std::string(redis_scripts::claim_functions) + std::string(redis_scripts::locate), "3",
                "t:owners", "t:order", "t:joined", "a", "t:node:", id});
  }

  void held(std::string const& id, std::string const& node, std::string const& joined_at = "1700000000000100") {
    ask({"HSET", "t:owners", id, node});
    ask({"HSET", "t:joined", id, joined_at});
  }
  void make_live(std::string const& node) { ask({"SET", "t:node:" + node, "1"}); }

  static Texts texts(RedisReply const& reply) {
    Texts values;
    for (auto const& element : reply.elements) values.push_back(element.text);
    return values;
  }

  // Each stream entry's fields, as name, value, name, value...
  std::vector<Texts> stream_entries() {
    std::vector<Texts> entries;
    for (auto const& entry : ask({"XRANGE", "t:broadcasts", "-", "+"}).elements)
      entries.push_back(texts(entry.elements.at(1)));
    return entries;
  }
};

TEST_F(RouteScriptTest, EachLiveNodeHoldingSomeIdsGetsOneEntryWithItsIdsInTheOrderAsked) {
  make_live("b");
  make_live("c");
  held("1", "b");
  held("2", "c");
  held("3", "b");
  auto const reply = route({"3", "2", "1"});
  ASSERT_EQ(reply.elements.size(), 3U);
  EXPECT_TRUE(reply.elements[0].elements.empty());
  EXPECT_EQ(reply.elements[1].elements.at(0).text, "b");
  EXPECT_EQ(texts(reply.elements[1].elements.at(1)), (Texts{"3", "1"}));
  EXPECT_EQ(reply.elements[2].elements.at(0).text, "c");
  EXPECT_EQ(texts(reply.elements[2].elements.at(1)), Texts{"2"});
  EXPECT_EQ(stream_entries(),
            (std::vector<Texts>{
                {"to", "b", "from", "a", "seq", "5", "op", "send", "ids", "3,1", "text", "the text", "code", "1000"},
                {"to", "c", "from", "a", "seq", "5", "op", "send", "ids", "2", "text", "the text", "code", "1000"}}));
}

TEST_F(RouteScriptTest, IdsOfDeadNodesOfThisNodeAndOfNobodyAreMissingInTheOrderAsked) {
  make_live("a");
  make_live("b");
  held("1", "dead");
  held("2", "a");
  held("3", "b");
  auto const reply = route({"4", "1", "3", "2"});
  ASSERT_EQ(reply.elements.size(), 2U);
  EXPECT_EQ(texts(reply.elements[0]), (Texts{"4", "1", "2"}));
  EXPECT_EQ(texts(reply.elements[1].elements.at(1)), Texts{"3"});
  ASSERT_EQ(stream_entries().size(), 1U);
  EXPECT_EQ(stream_entries()[0].at(1), "b");
}

TEST_F(RouteScriptTest, ARequestNoLiveNodeCanCarryOutWritesNothing) {
  held("1", "dead");
  auto const reply = route({"1", "9"});
  ASSERT_EQ(reply.elements.size(), 1U);
  EXPECT_EQ(texts(reply.elements[0]), (Texts{"1", "9"}));
  EXPECT_TRUE(stream_entries().empty());
}

TEST_F(RouteScriptTest, ACloseCarriesItsCodeAndReason) {
  make_live("b");
  held("7", "b");
  route({"7"}, "close", "4001");
  EXPECT_EQ(stream_entries(), (std::vector<Texts>{{"to", "b", "from", "a", "seq", "5", "op", "close", "ids", "7",
                                                   "text", "the text", "code", "4001"}}));
}

TEST_F(RouteScriptTest, LocateNamesTheLiveOtherNodeAndTheJoinTime) {
  make_live("b");
  held("7", "b", "1700000000000777");
  EXPECT_EQ(texts(locate("7")), (Texts{"b", "1700000000000777"}));
}

TEST_F(RouteScriptTest, LocateFindsNothingForThisNodeADeadNodeOrNobody) {
  make_live("a");
  held("1", "a");
  held("2", "dead");
  for (std::string const id : {"1", "2", "3"}) {
    auto const reply = locate(id);
    EXPECT_EQ(reply.kind, RedisReply::Kind::nil) << id;
    EXPECT_TRUE(reply.elements.empty()) << id;
  }
}

}  // namespace
}  // namespace wshub
