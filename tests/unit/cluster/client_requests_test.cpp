// Tests sends, disconnects and look-ups of clients held by other nodes, through the backplane on fake connections:
// the route script's call, the answers the nodes give, the timeout, an outage, and the requests this node carries out.
#include "cluster/client_requests.hpp"

#include <optional>

#include "backplane_fixture.hpp"
#include "cluster/redis_scripts.hpp"

namespace wshub {
namespace {

using std::chrono::milliseconds;
using testing::FakeRedis;
using Ids = std::vector<ClientId>;

class ClientRequestsTest : public testing::BackplaneFixture {
 protected:
  static constexpr auto count_timeout = milliseconds(100);

  void SetUp() override {
    ClusterOptions options;
    options.count_timeout = count_timeout;
    join(options);
  }

  // Sends to the ids and leaves the route script unanswered; returns the script's call.
  std::vector<std::string> send(Ids ids, std::string text = "hello") {
    backplane_->send_to(std::move(ids), text, [this](SendResult result) { results_.push_back(std::move(result)); });
    EXPECT_TRUE(results_.empty()) << "answered inside send_to()";
    poll();
    EXPECT_FALSE(commands_->unanswered().empty());
    return commands_->unanswered().empty() ? std::vector<std::string>{} : commands_->unanswered().back().args;
  }

  // The route script's reply: the ids no other live node holds, then each node with its ids.
  void routed(Ids const& missing, std::vector<std::pair<std::string, Ids>> const& nodes) {
    commands_->answer_ok_until_script();
    std::vector<RedisReply> reply{ids_reply(missing)};
    for (auto const& [node, ids] : nodes) reply.push_back(FakeRedis::array({FakeRedis::text(node), ids_reply(ids)}));
    commands_->answer(FakeRedis::array(std::move(reply)));
    poll();
  }

  // A node's answer arrives on this node's count stream.
  void answer_from(std::string const& stream_id, std::string const& node, std::string const& sequence,
                   std::size_t reached, std::string const& missing = "") {
    reader_->answer(stream_reply(
        "wshub:counts:node-a",
        {{stream_id, {"k", "request", "o", node, "s", sequence, "n", std::to_string(reached), "x", missing}}}));
    poll();
  }

  static RedisReply ids_reply(Ids const& ids) {
    std::vector<std::string> texts;
    for (auto const id : ids) texts.push_back(std::to_string(id));
    return FakeRedis::texts(texts);
  }

  static std::string sequence_of(std::vector<std::string> const& eval) { return eval.at(8); }

  std::vector<SendResult> results_;
};

TEST_F(ClientRequestsTest, ASendRunsTheRouteScriptWithTheRequestAndItsIds) {
  auto const eval = send({5, -6, 7}, "to you");
  ASSERT_EQ(eval.size(), 15U);
  EXPECT_EQ(eval[0], "EVAL");
  EXPECT_EQ(eval[1], redis_scripts::route);
  EXPECT_EQ(std::vector<std::string>(eval.begin() + 2, eval.begin() + 7),
            (std::vector<std::string>{"2", "wshub:owners", "wshub:broadcasts", node_id, "wshub:node:"}));
  EXPECT_FALSE(eval[7].empty()) << "the oldest stream id to keep";
  EXPECT_EQ(std::vector<std::string>(eval.begin() + 9, eval.end()),
            (std::vector<std::string>{"send", "to you", "1000", "5", "-6", "7"}));
  auto const next = send({8});
  EXPECT_NE(sequence_of(next), sequence_of(eval)) << "each request has its own sequence number";
}

TEST_F(ClientRequestsTest, ASendIsAnsweredOnceEveryRoutedNodeHasAnswered) {
  auto const sequence = sequence_of(send({1, 2, 3, 4}));
  answer_from("1-0", "node-b", sequence, 1);  // before the script's reply: kept until it names the nodes
  EXPECT_TRUE(results_.empty());
  routed({4}, {{"node-b", {1}}, {"node-c", {2, 3}}});
  EXPECT_TRUE(results_.empty()) << "answered before node-c did";
  answer_from("2-0", "node-c", sequence, 1, "3");
  ASSERT_EQ(results_.size(), 1U);
  EXPECT_EQ(results_[0].sent, 2U);
  EXPECT_EQ(results_[0].missing, (Ids{3, 4}));
  run_for(2 * count_timeout);
  EXPECT_EQ(results_.size(), 1U);
}

TEST_F(ClientRequestsTest, TheMissingIdsComeInTheOrderAsked) {
  auto const sequence = sequence_of(send({9, 1, 8, 2, 7}));
  routed({8}, {{"node-c", {1, 7}}, {"node-b", {9, 2}}});
  answer_from("1-0", "node-b", sequence, 0, "9,2");
  answer_from("2-0", "node-c", sequence, 1, "7");
  ASSERT_EQ(results_.size(), 1U);
  EXPECT_EQ(results_[0].sent, 1U);
  EXPECT_EQ(results_[0].missing, (Ids{9, 8, 2, 7}));
}

TEST_F(ClientRequestsTest, ASendNoNodeHoldsIsAnsweredOnTheScriptsReply) {
  send({3, 4});
  routed({3, 4}, {});
  ASSERT_EQ(results_.size(), 1U);
  EXPECT_EQ(results_[0].sent, 0U);
  EXPECT_EQ(results_[0].missing, (Ids{3, 4}));
}

TEST_F(ClientRequestsTest, AtTheTimeoutTheIdsOfNodesThatDidNotAnswerAreMissing) {
  auto const sequence = sequence_of(send({1, 2, 3}));
  routed({}, {{"node-b", {1}}, {"node-c", {2, 3}}});
  answer_from("1-0", "node-b", sequence, 1);
  EXPECT_TRUE(results_.empty());
  run_until([this] { return !results_.empty(); });
  EXPECT_EQ(results_[0].sent, 1U);
  EXPECT_EQ(results_[0].missing, (Ids{2, 3}));
  EXPECT_EQ(metrics_.total(Counter::cluster_late_counts), 1U) << "node-c was late";
}

TEST_F(ClientRequestsTest, AnAnswerAfterTheTimeoutChangesNothing) {
  auto const sequence = sequence_of(send({1}));
  routed({}, {{"node-b", {1}}});
  run_until([this] { return !results_.empty(); });
  EXPECT_EQ(results_[0].missing, Ids{1});
  answer_from("1-0", "node-b", sequence, 1);
  run_for(2 * count_timeout);
  ASSERT_EQ(results_.size(), 1U);
  EXPECT_EQ(results_[0].sent, 0U);
  EXPECT_EQ(reader_->oldest()[0], "XREAD") << "a late answer stopped the reader";
}

TEST_F(ClientRequestsTest, EachPendingRequestTimesOutWithTheAnswersItHas) {
  auto const first = sequence_of(send({1}));
  auto const second = sequence_of(send({2}));
  routed({}, {{"node-b", {1}}});
  routed({}, {{"node-b", {2}}});
  answer_from("1-0", "node-b", second, 1);
  ASSERT_EQ(results_.size(), 1U);
  EXPECT_EQ(results_[0].sent, 1U);
  run_until([this] { return results_.size() == 2; });
  EXPECT_EQ(results_[1].missing, Ids{1});
  answer_from("2-0", "node-b", first, 1);
  EXPECT_EQ(results_.size(), 2U);
}

TEST_F(ClientRequestsTest, WhileCutOffEveryIdIsMissingAtOnceButNeverInsideTheCall) {
  commands_->go_down();
  backplane_->send_to({5, 6}, "x", [this](SendResult result) { results_.push_back(std::move(result)); });
  EXPECT_TRUE(results_.empty());
  poll();
  ASSERT_EQ(results_.size(), 1U);
  EXPECT_EQ(results_[0].sent, 0U);
  EXPECT_EQ(results_[0].missing, (Ids{5, 6}));
  EXPECT_EQ(commands_->script_count(), 1U) << "only the registration";
}

TEST_F(ClientRequestsTest, ARequestLostWithTheConnectionIsAnsweredAtOnceWithEveryIdMissing) {
  send({5, 6});
  commands_->go_down();
  poll();
  ASSERT_EQ(results_.size(), 1U);
  EXPECT_EQ(results_[0].missing, (Ids{5, 6}));
  run_for(2 * count_timeout);
  EXPECT_EQ(results_.size(), 1U);
}

TEST_F(ClientRequestsTest, ADisconnectRunsTheRouteScriptWithTheCodeAndReasonAndCountsTheClose) {
  std::vector<std::size_t> closed;
  backplane_->disconnect(4, static_cast<CloseCode>(4002), "go",
                         [&closed](std::size_t count) { closed.push_back(count); });
  poll();
  auto const eval = commands_->unanswered().back().args;
  EXPECT_EQ(std::vector<std::string>(eval.begin() + 9, eval.end()),
            (std::vector<std::string>{"close", "go", "4002", "4"}));
  routed({}, {{"node-b", {4}}});
  answer_from("1-0", "node-b", sequence_of(eval), 1);
  EXPECT_EQ(closed, std::vector<std::size_t>{1});
}

TEST_F(ClientRequestsTest, ADisconnectOfAnIdNoNodeHoldsClosesNothing) {
  std::vector<std::size_t> closed;
  backplane_->disconnect(4, CloseCode::normal, "go", [&closed](std::size_t count) { closed.push_back(count); });
  poll();
  routed({4}, {});
  EXPECT_EQ(closed, std::vector<std::size_t>{0});
}

TEST_F(ClientRequestsTest, ASendForThisNodeIsDeliveredHereAndAnsweredToItsOrigin) {
  clients_.clients = {{.id = 1, .joined_at = {}}, {.id = 3, .joined_at = {}}};
  reader_->answer(stream_reply("wshub:broadcasts", {{"5-0",
                                                     {"to", node_id, "from", "node-b", "seq", "17", "op", "send", "ids",
                                                      "1,2,3", "text", "for you", "code", "1000"}}}));
  ASSERT_EQ(clients_.sent.size(), 1U);
  EXPECT_EQ(clients_.sent[0].first, (Ids{1, 2, 3}));
  EXPECT_EQ(clients_.sent[0].second, "for you");
  ASSERT_EQ(commands_->unanswered().size(), 1U);
  EXPECT_EQ(commands_->oldest(),
            (std::vector<std::string>{"XADD", "wshub:counts:node-b", "MAXLEN", "~", "10000", "*", "k", "request", "o",
                                      node_id, "s", "17", "n", "2", "x", "2"}));
}

TEST_F(ClientRequestsTest, ARequestForAnotherNodeIsLeftToIt) {
  clients_.clients = {{.id = 1, .joined_at = {}}};
  reader_->answer(stream_reply("wshub:broadcasts", {{"5-0",
                                                     {"to", "node-c", "from", "node-b", "seq", "17", "op", "send",
                                                      "ids", "1", "text", "not yours", "code", "1000"}}}));
  EXPECT_TRUE(clients_.sent.empty());
  EXPECT_TRUE(clients_.delivered.empty()) << "taken for a broadcast";
  EXPECT_EQ(commands_->sent_count("XADD"), 0U);
}

TEST_F(ClientRequestsTest, ACloseForThisNodeClosesWithItsCodeAndReasonAndAnswers) {
  clients_.clients = {{.id = 4, .joined_at = {}}};
  reader_->answer(stream_reply(
      "wshub:broadcasts",
      {{"5-0",
        {"to", node_id, "from", "node-b", "seq", "3", "op", "close", "ids", "4", "text", "bye now", "code", "4001"}},
       {"6-0",
        {"to", node_id, "from", "node-c", "seq", "9", "op", "close", "ids", "5", "text", "gone", "code", "1000"}}}));
  ASSERT_EQ(clients_.disconnected.size(), 2U);
  EXPECT_EQ(clients_.disconnected[0].id, 4);
  EXPECT_EQ(clients_.disconnected[0].code, static_cast<CloseCode>(4001));
  EXPECT_EQ(clients_.disconnected[0].reason, "bye now");
  ASSERT_EQ(commands_->unanswered().size(), 2U);
  auto const closed = commands_->answer(FakeRedis::text("7-0"));
  EXPECT_EQ(std::vector<std::string>(closed.begin() + 8, closed.end()),
            (std::vector<std::string>{"o", node_id, "s", "3", "n", "1", "x", ""}));
  auto const not_here = commands_->answer(FakeRedis::text("8-0"));
  EXPECT_EQ(not_here[1], "wshub:counts:node-c");
  EXPECT_EQ(std::vector<std::string>(not_here.begin() + 8, not_here.end()),
            (std::vector<std::string>{"o", node_id, "s", "9", "n", "0", "x", "5"}));
}

TEST_F(ClientRequestsTest, LocatingAClientElsewhereIsWhatTheLocateScriptAnswers) {
  std::vector<std::optional<ClientLocation>> located;
  backplane_->locate(7, [&located](std::optional<ClientLocation> where) { located.push_back(std::move(where)); });
  backplane_->locate(8, [&located](std::optional<ClientLocation> where) { located.push_back(std::move(where)); });
  poll();
  commands_->answer_ok_until_script();
  auto const asked = commands_->answer(FakeRedis::texts({"node-b", "1700000000000100"}));
  EXPECT_EQ(asked.back(), "7");
  commands_->answer(FakeRedis::nil());
  poll();
  ASSERT_EQ(located.size(), 2U);
  ASSERT_TRUE(located[0].has_value());
  EXPECT_EQ(located[0]->id, 7);
  EXPECT_EQ(located[0]->node, "node-b");
  EXPECT_EQ(located[0]->joined_at, JoinTime(std::chrono::microseconds(1700000000000100)));
  EXPECT_FALSE(located[1].has_value());
}

TEST_F(ClientRequestsTest, WhileCutOffAClientElsewhereIsNowhere) {
  commands_->go_down();
  std::vector<std::optional<ClientLocation>> located;
  backplane_->locate(7, [&located](std::optional<ClientLocation> where) { located.push_back(std::move(where)); });
  poll();
  ASSERT_EQ(located.size(), 1U);
  EXPECT_FALSE(located[0].has_value());
}

}  // namespace
}  // namespace wshub
