// Tests what /readyz reads of the cluster through the backplane on fake connections: joining, connected, outages.
#include "cluster/redis_status.hpp"

#include "backplane_fixture.hpp"

namespace wshub {
namespace {

class RedisStatusTest : public testing::BackplaneFixture {
 protected:
  std::uint64_t outages() const { return metrics_.total(Counter::redis_outages); }
};

TEST_F(RedisStatusTest, ANodeThatCannotReachRedisStopsJoiningAndCountsOneOutage) {
  make();
  EXPECT_TRUE(backplane_->state().joining);
  commands_->go_down();
  reader_->go_down();
  commands_->go_down();
  EXPECT_FALSE(backplane_->state().joining);
  EXPECT_FALSE(backplane_->state().connected);
  EXPECT_EQ(outages(), 1U);
}

TEST_F(RedisStatusTest, ANodeJoinsWithItsFirstHeartbeatNotWithItsConnections) {
  make();
  commands_->go_up();
  reader_->go_up();
  EXPECT_TRUE(backplane_->state().connected);
  EXPECT_TRUE(backplane_->state().joining);
}

TEST_F(RedisStatusTest, AnOutageIsCountedOnceHoweverOftenTheConnectionsFlap) {
  join();
  reader_->go_down();
  EXPECT_FALSE(backplane_->state().connected);
  commands_->go_down();
  reader_->go_up();
  commands_->go_up();
  EXPECT_TRUE(backplane_->state().connected);
  EXPECT_EQ(outages(), 1U);
  commands_->go_down();
  EXPECT_EQ(outages(), 2U);
}

TEST_F(RedisStatusTest, CredentialsRefusedBeforeTheFirstHeartbeatAreToldToTheStarterOnceAndAreNoOutage) {
  make();
  commands_->refuse("WRONGPASS invalid username-password pair");
  reader_->refuse("WRONGPASS invalid username-password pair");
  commands_->refuse("WRONGPASS invalid username-password pair");
  EXPECT_EQ(refused_at_start_, (std::vector<std::string>{"WRONGPASS invalid username-password pair"}));
  EXPECT_EQ(outages(), 0U);
}

TEST_F(RedisStatusTest, CredentialsRefusedAfterTheNodeWasLiveAreAnOutageRetriedAsAnyOther) {
  join();
  commands_->refuse("WRONGPASS invalid username-password pair");
  EXPECT_TRUE(refused_at_start_.empty());
  EXPECT_FALSE(backplane_->state().connected);
  EXPECT_EQ(outages(), 1U);
  commands_->go_up();
  EXPECT_TRUE(backplane_->state().connected);
}

}  // namespace
}  // namespace wshub
