// Tests the stream reader through the backplane on fake connections: where it starts, and where it resumes.
#include "cluster/stream_reader.hpp"

#include "backplane_fixture.hpp"

namespace wshub {
namespace {

using std::chrono::milliseconds;
using testing::FakeRedis;

class StreamReaderTest : public testing::BackplaneFixture {};

std::vector<std::string> read_from(std::string const& broadcasts_id, std::string const& counts_id) {
  return {"XREAD",       "COUNT",  "1000", "BLOCK", "1000", "STREAMS", "wshub:broadcasts", "wshub:counts:node-a",
          broadcasts_id, counts_id};
}

TEST_F(StreamReaderTest, AfterAReconnectionTheReaderResumesFromTheLastIdsItRead) {
  join();
  reader_->answer(stream_reply("wshub:broadcasts", {{"7-0", {"o", "node-b", "s", "1", "m", "hi"}}}));
  EXPECT_EQ(reader_->oldest(), read_from("7-0", "0-0"));
  reader_->answer(stream_reply("wshub:counts:node-a", {{"8-1", {"o", "node-b", "s", "1", "n", "0"}}}));
  reader_->go_down();
  reader_->go_up();
  // Not where the streams end now, which would skip what was published meanwhile.
  EXPECT_EQ(reader_->sent_count("XREVRANGE"), 2U);
  EXPECT_EQ(reader_->answer(FakeRedis::array({})), (std::vector<std::string>{"XINFO", "STREAM", "wshub:broadcasts"}));
  EXPECT_EQ(reader_->oldest(), read_from("7-0", "8-1"));
}

TEST_F(StreamReaderTest, AReconnectionCountsBroadcastsTrimmedBeforeTheReaderGotThem) {
  join();
  reader_->answer(stream_reply("wshub:broadcasts", {{"7-0", {"o", "node-b", "s", "1", "m", "hi"}}}));
  for (auto const& [deleted, gaps] : {std::pair{"6-5", 0U}, std::pair{"7-0", 0U}, std::pair{"9-0", 1U}}) {
    reader_->go_down();
    reader_->go_up();
    reader_->answer(FakeRedis::texts({"length", "0", "max-deleted-entry-id", deleted}));
    EXPECT_EQ(metrics_.total(Counter::cluster_replay_gaps), gaps) << deleted;
  }
}

TEST_F(StreamReaderTest, AReaderLostBetweenFindingItsTwoStartsFindsOnlyTheMissingOne) {
  make();
  commands_->go_up();
  reader_->go_up();
  reader_->answer(FakeRedis::array({FakeRedis::array({FakeRedis::text("3-0"), FakeRedis::array({})})}));
  reader_->go_down();
  reader_->go_up();
  EXPECT_EQ(reader_->answer(FakeRedis::array({})),
            (std::vector<std::string>{"XREVRANGE", "wshub:counts:node-a", "+", "-", "COUNT", "1"}));
  EXPECT_EQ(reader_->oldest(), read_from("3-0", "0-0"));
  EXPECT_EQ(commands_->sent_count("SET"), 1U) << "ready to count: heartbeats begin";
}

TEST_F(StreamReaderTest, AReadErrorIsRetriedOnceEvenIfTheReaderReconnectsMeanwhile) {
  join();
  reader_->answer(RedisReply::error("OOM"));
  EXPECT_TRUE(reader_->unanswered().empty()) << "retried at once";
  reader_->go_down();
  reader_->go_up();
  reader_->answer(FakeRedis::array({}));  // XINFO
  auto const reads = reader_->sent_count("XREAD");
  run_for(milliseconds(800));  // past the retry planned before the reconnection
  EXPECT_EQ(reader_->sent_count("XREAD"), reads);
  EXPECT_EQ(reader_->unanswered().size(), 1U);
}

TEST_F(StreamReaderTest, AReadErrorOnALiveConnectionIsRetriedLater) {
  join();
  auto const reads = reader_->sent_count("XREAD");
  reader_->answer(RedisReply::error("OOM"));
  run_until([&] { return reader_->sent_count("XREAD") == reads + 1; });
  EXPECT_EQ(reader_->oldest(), read_from("0-0", "0-0"));
}

}  // namespace
}  // namespace wshub
