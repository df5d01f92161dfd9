// Tests claims, listings and duplicates through the backplane on fake connections, with Redis up and cut off.
#include "cluster/client_claims.hpp"

#include <optional>

#include <boost/asio/bind_executor.hpp>

#include "backplane_fixture.hpp"

namespace wshub {
namespace {

using testing::FakeRedis;

class ClientClaimsTest : public testing::BackplaneFixture {
 protected:
  static constexpr LocalClient first{.id = 4, .joined_at = JoinTime(std::chrono::microseconds(100))};
  static constexpr LocalClient second{.id = 9, .joined_at = JoinTime(std::chrono::microseconds(200))};

  void claim(LocalClient const& client) {
    backplane_->claim(client, [this](bool claimed) { claims_.push_back(claimed); });
  }
  void list() {
    backplane_->list_clients({first.id}, [this](std::vector<ClientId> ids) { lists_.push_back(std::move(ids)); });
  }

  std::vector<bool> claims_;
  std::vector<std::vector<ClientId>> lists_;
};

TEST_F(ClientClaimsTest, AClaimIsWhatRedisAnswers) {
  join();
  claim(first);
  claim(second);
  poll();
  auto const sent = commands_->answer(FakeRedis::integer(1));
  EXPECT_EQ(std::vector<std::string>(sent.end() - 2, sent.end()), (std::vector<std::string>{"4", "100"}));
  commands_->answer(FakeRedis::integer(0));
  poll();
  EXPECT_EQ(claims_, (std::vector<bool>{true, false}));
}

TEST_F(ClientClaimsTest, ClaimsAndListsPendingWhenTheConnectionIsLostAnswerAsASingleNode) {
  join();
  claim(first);
  list();
  poll();
  ASSERT_EQ(commands_->unanswered().size(), 2U);
  commands_->go_down();
  poll();
  EXPECT_EQ(claims_, std::vector<bool>{true});
  EXPECT_EQ(lists_, std::vector<std::vector<ClientId>>{{first.id}});
  commands_->go_up();
  poll();
  EXPECT_EQ(claims_.size(), 1U) << "a claim was answered twice";
  EXPECT_EQ(lists_.size(), 1U) << "a listing was answered twice";
}

TEST_F(ClientClaimsTest, AnAnswerRunsOnTheExecutorItsHandlerNames) {
  join();
  asio::io_context caller;
  std::optional<bool> claimed;
  backplane_->claim(first, asio::bind_executor(caller, [&claimed](bool result) { claimed = result; }));
  poll();
  commands_->answer(FakeRedis::integer(1));
  poll();
  EXPECT_FALSE(claimed.has_value()) << "ran on the backplane's executor";
  caller.run();
  EXPECT_EQ(claimed, true);
}

TEST_F(ClientClaimsTest, WhileCutOffNothingIsAskedOfRedis) {
  join();
  commands_->go_down();
  claim(first);
  list();
  backplane_->release(first.id);
  EXPECT_TRUE(claims_.empty() && lists_.empty()) << "answered inside the call";
  poll();
  EXPECT_EQ(claims_, std::vector<bool>{true});
  EXPECT_EQ(lists_, std::vector<std::vector<ClientId>>{{first.id}});
  EXPECT_EQ(commands_->script_count(), 1U) << "only the registration";
}

TEST_F(ClientClaimsTest, ARegistrationThatRefusesAnIdClosesThisNodesLaterConnection) {
  clients_.clients = {first, second};
  make();
  commands_->go_up();
  commands_->answer(FakeRedis::texts({"9", "77"}));  // 77 is no client of this node's
  EXPECT_EQ(clients_.closed, std::vector<ClientId>{second.id});
  EXPECT_EQ(metrics_.total(Counter::connections_duplicate_id), 1U);
}

TEST_F(ClientClaimsTest, ACloseEntryForThisNodeClosesThatConnection) {
  join();
  reader_->answer(stream_reply("wshub:broadcasts", {{"5-0", {"close", "node-b", "i", "4", "t", "100"}},
                                                    {"6-0", {"close", node_id, "i", "9", "t", "200"}}}));
  EXPECT_EQ(clients_.closed, std::vector<ClientId>{9});
}

}  // namespace
}  // namespace wshub
