// Tests a broadcast's counts through the backplane on fake connections: all counted, timed out, late, lost.
#include "cluster/broadcast_counts.hpp"

#include "backplane_fixture.hpp"

namespace wshub {
namespace {

using std::chrono::milliseconds;
using testing::FakeRedis;

class BroadcastCountsTest : public testing::BackplaneFixture {
 protected:
  static constexpr auto count_timeout = milliseconds(100);

  void SetUp() override {
    ClusterOptions options;
    options.count_timeout = count_timeout;
    join(options);
  }

  // Publishes and leaves the publish script unanswered; returns its sequence number.
  std::string publish() {
    backplane_->publish("hello", [this](std::size_t count) { answers_.push_back(count); });
    poll();
    auto const& eval = commands_->unanswered().back().args;
    EXPECT_EQ(message_of(eval), "hello");
    return eval[eval.size() - 3];
  }

  // The publish script's arguments end with the sequence, the message and the run.
  static std::string const& message_of(std::vector<std::string> const& args) { return args[args.size() - 2]; }

  // The publish script's reply: the nodes live when it ran, this one included.
  void answer_publish(std::vector<std::string> const& live_nodes) {
    commands_->answer_ok_until_script();
    commands_->answer(FakeRedis::texts(live_nodes));
  }

  // Another node's count arrives on this node's count stream.
  void count_arrives(std::string const& id, std::string const& from, std::string const& sequence, int count) {
    reader_->answer(
        stream_reply("wshub:counts:node-a", {{id, {"o", from, "s", sequence, "n", std::to_string(count)}}}));
  }

  std::uint64_t late_counts() const { return metrics_.total(Counter::cluster_late_counts); }

  std::vector<std::size_t> answers_;
};

TEST_F(BroadcastCountsTest, ABroadcastIsAnsweredOnceEveryLiveNodeHasCounted) {
  auto const sequence = publish();
  count_arrives("1-0", "node-b", sequence, 3);  // before the publish's own reply: kept until it names the nodes
  answer_publish({node_id, "node-b", "node-c"});
  poll();
  EXPECT_TRUE(answers_.empty());
  count_arrives("2-0", "node-c", sequence, 4);
  poll();
  EXPECT_EQ(answers_, std::vector<std::size_t>{7});
  run_for(2 * count_timeout);
  EXPECT_EQ(answers_.size(), 1U);
  EXPECT_EQ(late_counts(), 0U);
}

TEST_F(BroadcastCountsTest, ACountAfterTheTimeoutIsLateAndChangesNothing) {
  auto const sequence = publish();
  answer_publish({node_id, "node-b", "node-c"});
  count_arrives("1-0", "node-b", sequence, 3);
  run_until([this] { return !answers_.empty(); });
  EXPECT_EQ(answers_, std::vector<std::size_t>{3});
  EXPECT_EQ(late_counts(), 1U);
  count_arrives("2-0", "node-c", sequence, 4);
  EXPECT_EQ(answers_, std::vector<std::size_t>{3});
  EXPECT_EQ(reader_->oldest()[0], "XREAD") << "a late count stopped the reader";
}

TEST_F(BroadcastCountsTest, EachPendingBroadcastTimesOutWithTheCountsItHas) {
  publish();
  auto const second = publish();
  answer_publish({node_id, "node-b"});
  commands_->answer(FakeRedis::texts({node_id, "node-b"}));
  count_arrives("1-0", "node-b", second, 5);
  poll();
  EXPECT_EQ(answers_, std::vector<std::size_t>{5});
  run_until([this] { return answers_.size() == 2; });
  EXPECT_EQ(answers_, (std::vector<std::size_t>{5, 0}));
  EXPECT_EQ(late_counts(), 1U);
}

TEST_F(BroadcastCountsTest, APublishLostWithTheConnectionIsAnsweredAtOnce) {
  publish();
  commands_->go_down();
  poll();
  EXPECT_EQ(answers_, std::vector<std::size_t>{0});
  run_for(2 * count_timeout);
  EXPECT_EQ(answers_.size(), 1U);
  EXPECT_EQ(late_counts(), 0U);
}

TEST_F(BroadcastCountsTest, CountsPendingWhenTheReaderIsLostTimeOutWithThoseThatCame) {
  auto const sequence = publish();
  answer_publish({node_id, "node-b", "node-c"});
  count_arrives("1-0", "node-b", sequence, 3);
  reader_->go_down();
  EXPECT_TRUE(answers_.empty());
  run_until([this] { return !answers_.empty(); });
  EXPECT_EQ(answers_, std::vector<std::size_t>{3});
  EXPECT_EQ(late_counts(), 1U);
}

TEST_F(BroadcastCountsTest, WhileCutOffABroadcastIsAnsweredAtOnceAndPublishedFirstWhenRedisIsBack) {
  commands_->go_down();
  backplane_->publish("hello", [this](std::size_t count) { answers_.push_back(count); });
  poll();
  EXPECT_EQ(answers_, std::vector<std::size_t>{0});
  EXPECT_EQ(commands_->script_count(), 1U) << "only the registration";
  commands_->go_up();
  ASSERT_TRUE(FakeRedis::is_script(commands_->oldest()));
  EXPECT_EQ(message_of(commands_->oldest()), "hello") << "before the registration and the heartbeat";
  EXPECT_EQ(metrics_.total(Counter::cluster_republished), 1U);
  commands_->answer(FakeRedis::texts({node_id}));
  commands_->go_down();
  commands_->go_up();
  EXPECT_FALSE(message_of(commands_->oldest()) == "hello") << "in the stream: not published a third time";
  EXPECT_EQ(metrics_.total(Counter::cluster_republished), 1U);
  EXPECT_EQ(answers_.size(), 1U);
}

TEST_F(BroadcastCountsTest, ABroadcastPublishedAgainIsDeliveredAndCountedOnce) {
  clients_.receivers = 2;
  reader_->answer(stream_reply("wshub:broadcasts", {{"5-0", {"o", "node-b", "s", "17", "m", "hi", "run", "r1"}},
                                                    {"6-0", {"o", "node-b", "s", "17", "m", "hi", "run", "r1"}},
                                                    {"7-0", {"o", "node-b", "s", "16", "m", "older", "run", "r1"}},
                                                    {"8-0", {"o", "node-b", "s", "18", "m", "next", "run", "r1"}}}));
  EXPECT_EQ(clients_.delivered, (std::vector<std::string>{"hi", "next"}));
  EXPECT_EQ(commands_->unanswered().size(), 2U) << "one count back for each delivery";
}

TEST_F(BroadcastCountsTest, AnOriginRestartedUnderItsIdNumbersAfreshAndIsDelivered) {
  reader_->answer(stream_reply("wshub:broadcasts", {{"5-0", {"o", "node-b", "s", "900", "m", "before", "run", "r1"}},
                                                    {"6-0", {"o", "node-b", "s", "1", "m", "after", "run", "r2"}},
                                                    {"7-0", {"o", "node-b", "s", "1", "m", "older version"}},
                                                    {"8-0", {"o", "node-b", "s", "1", "m", "older version"}}}));
  EXPECT_EQ(clients_.delivered, (std::vector<std::string>{"before", "after", "older version", "older version"}));
}

TEST_F(BroadcastCountsTest, AnotherNodesBroadcastIsDeliveredHereAndCountedBackToItsOrigin) {
  clients_.receivers = 2;
  reader_->answer(stream_reply("wshub:broadcasts", {{"5-0", {"o", "node-b", "s", "17", "m", "hi"}},
                                                    {"6-0", {"o", node_id, "s", "1", "m", "mine"}}}));
  EXPECT_EQ(clients_.delivered, std::vector<std::string>{"hi"});
  ASSERT_EQ(commands_->unanswered().size(), 1U);
  EXPECT_EQ(commands_->oldest(), (std::vector<std::string>{"XADD", "wshub:counts:node-b", "MAXLEN", "~", "10000", "*",
                                                           "o", node_id, "s", "17", "n", "2"}));
}

TEST_F(BroadcastCountsTest, ABroadcastRedisRefusesIsGivenUpAndCounted) {
  publish();
  commands_->answer_ok_until_script();
  commands_->answer(RedisReply::error("OOM command not allowed when used memory > 'maxmemory'."));
  poll();
  EXPECT_EQ(metrics_.total(Counter::cluster_outbox_dropped), 1U);
  commands_->go_down();
  commands_->go_up();
  EXPECT_EQ(metrics_.total(Counter::cluster_republished), 0U);
}

TEST_F(BroadcastCountsTest, AReadOnlyAnswerMovesTheConnectionAndTheBroadcastGoesAgain) {
  publish();
  commands_->answer_ok_until_script();
  commands_->answer(RedisReply::error("READONLY You can't write against a read only replica."));
  poll();
  ASSERT_EQ(commands_->reconnects().size(), 1U);
  commands_->go_up();
  EXPECT_EQ(message_of(commands_->oldest()), "hello");
  EXPECT_EQ(metrics_.total(Counter::cluster_outbox_dropped), 0U);
}

// Behind Sentinel the primary may die before a replica has what it stored: WAIT tells when one has it.
class SentinelBroadcastTest : public BroadcastCountsTest {
 protected:
  void SetUp() override {
    ClusterOptions options;
    options.count_timeout = count_timeout;
    options.sentinel = {.sentinels = {{.host = "127.0.0.1", .port = 26379}}, .master_name = "primary"};
    join(options);
  }

  // Publishes, and answers the publish with this node the only live one.
  void publish_stored() {
    publish();
    answer_publish({node_id});
    poll();
  }

  std::size_t published_again() { return metrics_.total(Counter::cluster_republished); }
};

TEST_F(SentinelBroadcastTest, ABroadcastNoReplicaHasIsPublishedAgainAfterAReconnection) {
  publish_stored();
  ASSERT_EQ(commands_->oldest(), (std::vector<std::string>{"WAIT", "1", "100"}));
  commands_->answer(FakeRedis::integer(0));
  commands_->go_down();
  commands_->go_up();
  EXPECT_EQ(message_of(commands_->oldest()), "hello");
  EXPECT_EQ(published_again(), 1U);
}

TEST_F(SentinelBroadcastTest, ABroadcastAReplicaHasIsNotPublishedAgain) {
  publish_stored();
  commands_->answer(FakeRedis::integer(1));
  commands_->go_down();
  commands_->go_up();
  EXPECT_NE(message_of(commands_->oldest()), "hello");
  EXPECT_EQ(published_again(), 0U);
}

TEST_F(SentinelBroadcastTest, OneWaitAtATimeAndTheNextCoversWhatWasStoredMeanwhile) {
  publish_stored();
  publish();  // behind the WAIT: not covered by it
  commands_->answer(FakeRedis::integer(1));
  EXPECT_EQ(commands_->sent_count("WAIT"), 1U);
  commands_->answer(FakeRedis::texts({node_id}));
  poll();
  ASSERT_EQ(commands_->sent_count("WAIT"), 2U) << "the second broadcast was stored after the first WAIT went out";
  commands_->answer(FakeRedis::integer(1));
  commands_->go_down();
  commands_->go_up();
  EXPECT_EQ(published_again(), 0U);
}

}  // namespace
}  // namespace wshub
