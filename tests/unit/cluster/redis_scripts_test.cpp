// Tests the cluster's Lua scripts in a real redis-server: claims, re-registration and the order of the list.
#include "cluster/redis_scripts.hpp"

#include <optional>

#include <gtest/gtest.h>

#include "redis_fixture.hpp"

namespace wshub {
namespace {

class RedisScriptsTest : public testing::RedisFixture {
 protected:
  void SetUp() override { connect(); }

  // As RedisBackplane runs them: the keys of cluster "t", then the node's id and the liveness prefix (the claim
  // functions in front of every script, which those that do not use them ignore).
  RedisReply run_script(std::string_view body, std::string const& node, std::vector<std::string> args = {}) {
    auto script = std::string(redis_scripts::claim_functions) + std::string(body);
    std::vector<std::string> command{"EVAL",    std::move(script), "3",  "t:owners",
                                     "t:order", "t:joined",        node, "t:node:"};
    command.insert(command.end(), args.begin(), args.end());
    return ask(command);
  }

  void make_live(std::string const& node) { ask({"SET", "t:node:" + node, "1"}); }

  std::vector<std::string> listed() {
    std::vector<std::string> ids;
    for (auto const& element : run_script(redis_scripts::list, "a").elements) ids.push_back(element.text);
    return ids;
  }

  // The fields of the broadcast stream's only entry.
  std::vector<std::string> stream_fields() {
    auto const stream = ask({"XRANGE", "t:broadcasts", "-", "+"});
    EXPECT_EQ(stream.elements.size(), 1U);
    std::vector<std::string> fields;
    if (stream.elements.empty()) return fields;
    for (auto const& field : stream.elements[0].elements[1].elements) fields.push_back(field.text);
    return fields;
  }
};

TEST_F(RedisScriptsTest, ListsIdsInTheOrderTheirConnectionsJoinedWhateverTheOrderOfTheClaims) {
  make_live("a");
  make_live("b");
  EXPECT_EQ(run_script(redis_scripts::claim, "b", {"2", "1700000000000200"}).integer, 1);
  EXPECT_EQ(run_script(redis_scripts::claim, "a", {"1", "1700000000000100"}).integer, 1);
  EXPECT_EQ(run_script(redis_scripts::claim, "a", {"3", "1700000000000300"}).integer, 1);
  EXPECT_EQ(listed(), (std::vector<std::string>{"1", "2", "3"}));
}

TEST_F(RedisScriptsTest, AfterRedisLostEverythingReRegistrationNodeByNodeRestoresTheConnectionOrder) {
  make_live("a");
  make_live("b");
  run_script(redis_scripts::claim, "a", {"1", "1700000000000100"});
  run_script(redis_scripts::claim, "b", {"2", "1700000000000200"});
  run_script(redis_scripts::claim, "a", {"3", "1700000000000300"});
  run_script(redis_scripts::claim, "b", {"4", "1700000000000400"});
  ask({"FLUSHALL"});  // a restart without persistence
  make_live("a");
  make_live("b");
  run_script(redis_scripts::reregister, "b",
             {"t:broadcasts", "0", "refuse", "2", "1700000000000200", "4", "1700000000000400"});
  run_script(redis_scripts::reregister, "a",
             {"t:broadcasts", "0", "refuse", "1", "1700000000000100", "3", "1700000000000300"});
  EXPECT_EQ(listed(), (std::vector<std::string>{"1", "2", "3", "4"}));
}

TEST_F(RedisScriptsTest, ANodeBackFromTheDeadTakesItsEarlierIdBackAndTellsTheLaterHolderToClose) {
  make_live("a");
  make_live("b");
  run_script(redis_scripts::claim, "a", {"7", "1700000000000100"});
  // a's liveness key expires: to b the id is free.
  ask({"DEL", "t:node:a"});
  EXPECT_EQ(run_script(redis_scripts::claim, "b", {"7", "1700000000000500"}).integer, 1);
  make_live("a");
  auto const refused =
      run_script(redis_scripts::reregister, "a", {"t:broadcasts", "0", "refuse", "7", "1700000000000100"});
  EXPECT_TRUE(refused.elements.empty());
  EXPECT_EQ(ask({"HGET", "t:owners", "7"}).text, "a");
  EXPECT_EQ(stream_fields(),
            (std::vector<std::string>{"close", "b", "i", "7", "t", "1700000000000500", "why", "duplicate"}));
  EXPECT_EQ(listed(), (std::vector<std::string>{"7"}));
}

TEST_F(RedisScriptsTest, WithReplaceANodeBackFromTheDeadGivesItsEarlierIdUpToTheLaterHolder) {
  make_live("a");
  make_live("b");
  run_script(redis_scripts::claim, "a", {"7", "1700000000000100"});
  ask({"DEL", "t:node:a"});
  run_script(redis_scripts::claim, "b", {"7", "1700000000000500"});
  make_live("a");
  auto const refused =
      run_script(redis_scripts::reregister, "a", {"t:broadcasts", "0", "replace", "7", "1700000000000100"});
  ASSERT_EQ(refused.elements.size(), 1U);
  EXPECT_EQ(refused.elements[0].text, "7");
  EXPECT_EQ(ask({"HGET", "t:owners", "7"}).text, "b");
  EXPECT_EQ(ask({"XLEN", "t:broadcasts"}).integer, 0);
}

TEST_F(RedisScriptsTest, AReplacingClaimTakesTheIdFromALiveHolderAndTellsItToCloseAsReplaced) {
  make_live("a");
  make_live("b");
  EXPECT_EQ(run_script(redis_scripts::claim, "a", {"7", "1700000000000100"}).integer, 1);
  EXPECT_EQ(run_script(redis_scripts::claim, "b", {"7", "1700000000000500"}).integer, 0);
  EXPECT_EQ(run_script(redis_scripts::claim_replacing, "b", {"7", "1700000000000500", "t:broadcasts", "0"}).integer, 1);
  EXPECT_EQ(ask({"HGET", "t:owners", "7"}).text, "b");
  EXPECT_EQ(ask({"HGET", "t:joined", "7"}).text, "1700000000000500");
  EXPECT_EQ(stream_fields(),
            (std::vector<std::string>{"close", "a", "i", "7", "t", "1700000000000100", "why", "replaced"}));
}

TEST_F(RedisScriptsTest, AReplacingClaimOfAFreeIdOrOfOneThisNodeHoldsTellsNobody) {
  make_live("a");
  run_script(redis_scripts::claim_replacing, "a", {"7", "1700000000000100", "t:broadcasts", "0"});
  run_script(redis_scripts::claim_replacing, "a", {"7", "1700000000000200", "t:broadcasts", "0"});
  EXPECT_EQ(ask({"HGET", "t:joined", "7"}).text, "1700000000000200");
  EXPECT_EQ(ask({"XLEN", "t:broadcasts"}).integer, 0);
}

}  // namespace
}  // namespace wshub
