// Tests the heartbeat through the backplane on fake connections: a lapsed key, a stale timer, leaving mid-flight.
#include "cluster/liveness.hpp"

#include <thread>

#include "backplane_fixture.hpp"

namespace wshub {
namespace {

using std::chrono::milliseconds;

class LivenessTest : public testing::BackplaneFixture {
 protected:
  static constexpr auto node_timeout = milliseconds(300);
  static constexpr auto heartbeat_every = node_timeout / 3;

  void join_with_clients() {
    clients_.clients = {{.id = 4, .joined_at = JoinTime(std::chrono::microseconds(100))},
                        {.id = 9, .joined_at = JoinTime(std::chrono::microseconds(200))}};
    ClusterOptions options;
    options.node_timeout = node_timeout;
    join(options);
  }

  // Waits for the next heartbeat and answers its SET with the key's old value.
  void answer_next_heartbeat(RedisReply const& old_value) {
    run_until([this] { return !commands_->unanswered().empty(); });
    ASSERT_EQ(commands_->oldest()[0], "SET");
    commands_->answer(old_value);
    commands_->answer(testing::FakeRedis::integer(0));
    commands_->answer(testing::FakeRedis::integer(1));
  }
};

TEST_F(LivenessTest, AHeartbeatThatFindsItsKeyGoneRegistersTheNodesClientsAgain) {
  join_with_clients();
  auto const evals = commands_->script_count();
  answer_next_heartbeat(testing::FakeRedis::nil());
  ASSERT_EQ(commands_->script_count(), evals + 1);
  auto const& registration = commands_->oldest();
  ASSERT_TRUE(testing::FakeRedis::is_script(registration));
  // After the keys, the node, the stream and the trim point: each client's id and join time, in connection order.
  std::vector<std::string> const ids(registration.end() - 4, registration.end());
  EXPECT_EQ(ids, (std::vector<std::string>{"4", "100", "9", "200"}));
}

TEST_F(LivenessTest, AHeartbeatThatFindsItsKeyRegistersNothing) {
  join_with_clients();
  auto const evals = commands_->script_count();
  answer_next_heartbeat(testing::FakeRedis::text("1"));
  EXPECT_EQ(commands_->script_count(), evals);
}

TEST_F(LivenessTest, AMissingKeyRightAfterAReconnectionIsNoLapse) {
  join_with_clients();
  commands_->go_down();
  commands_->go_up();  // beats, then registers again on its own
  auto const evals = commands_->script_count();
  ASSERT_EQ(commands_->oldest()[0], "SET");
  commands_->answer(testing::FakeRedis::nil());
  EXPECT_EQ(commands_->script_count(), evals);
}

// The heartbeat's wait has fired, its completion is queued, and before it runs the connection comes back and
// re-arms the timer: the stale completion must not beat a second time.
TEST_F(LivenessTest, AHeartbeatDueWhenTheConnectionComesBackBeatsOnce) {
  join_with_clients();
  auto const heartbeat_due = std::chrono::steady_clock::now() + heartbeat_every;
  auto const sets = commands_->sent_count("SET");
  std::size_t sets_when_reconnected = 0;
  asio::steady_timer reconnect(context_);
  // Earlier than the heartbeat's expiry: of two timers due at once, Asio queues the earlier one first.
  reconnect.expires_at(std::chrono::steady_clock::time_point::min());
  reconnect.async_wait([&](error_code) {
    ASSERT_EQ(commands_->sent_count("SET"), sets) << "the heartbeat ran before the reconnection";
    commands_->go_down();
    commands_->go_up();
    sets_when_reconnected = commands_->sent_count("SET");
  });
  // Both timers due before the context runs, so that one reactor pass queues both completions.
  std::this_thread::sleep_until(heartbeat_due);
  context_.restart();
  context_.run_one();
  ASSERT_EQ(sets_when_reconnected, sets + 1);
  context_.poll();
  EXPECT_EQ(commands_->sent_count("SET"), sets + 1);
}

TEST_F(LivenessTest, LeavingWithCommandsInFlightAnswersOnceRedisHasAppliedThem) {
  join_with_clients();
  std::optional<bool> claimed;
  bool left = false;
  backplane_->claim({.id = 12, .joined_at = JoinTime{}}, [&claimed](bool result) { claimed = result; });
  backplane_->leave_cluster([&left] { left = true; });
  poll();
  ASSERT_TRUE(testing::FakeRedis::is_script(commands_->oldest()));
  commands_->answer(testing::FakeRedis::integer(0));
  poll();
  EXPECT_EQ(claimed, false);
  EXPECT_EQ(commands_->answer(testing::FakeRedis::integer(1)),
            (std::vector<std::string>{"SREM", "wshub:nodes", node_id}));
  EXPECT_FALSE(left);
  commands_->answer(testing::FakeRedis::integer(1));
  poll();
  EXPECT_TRUE(left);
  // No heartbeat after leaving: it would bring the node back to life.
  auto const sets = commands_->sent_count("SET");
  run_for(2 * heartbeat_every);
  EXPECT_EQ(commands_->sent_count("SET"), sets);
}

TEST_F(LivenessTest, LeavingAnswersWhenTheConnectionIsLostWithTheLeaveInFlight) {
  join_with_clients();
  std::optional<bool> claimed;
  int left = 0;
  backplane_->claim({.id = 12, .joined_at = JoinTime{}}, [&claimed](bool result) { claimed = result; });
  backplane_->leave_cluster([&left] { ++left; });
  poll();
  commands_->go_down();
  poll();
  // Cut off, the node admits on its own say; the leave is as done as it can be.
  EXPECT_EQ(claimed, true);
  EXPECT_EQ(left, 1);
  commands_->go_up();
  poll();
  EXPECT_EQ(commands_->sent_count("SET"), 1U) << "a node that left beat again after a reconnection";
  EXPECT_EQ(left, 1);
}

}  // namespace
}  // namespace wshub
