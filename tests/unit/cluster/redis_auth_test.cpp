// Tests AUTH on the Redis connection against a real redis-server that requires a password and has an ACL user:
// up only once authenticated, refusals reported and retried, a password changed while connected.
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "cluster/redis_connection.hpp"
#include "redis_fixture.hpp"

namespace wshub {
namespace {

constexpr char const* admin_password = "admin pw";
constexpr char const* app_password = "app@pw";

class RedisAuthTest : public testing::RedisFixture {
 protected:
  RedisAuthTest()
      : RedisFixture(
            {"--requirepass", admin_password, "--user", "app", "on", std::string(">") + app_password, "~*", "+@all"}) {}

  RedisEndpoint endpoint(std::string user, std::string password) const {
    return {.host = "127.0.0.1", .port = redis_.port(), .database = 0, .user = user, .password = password};
  }

  // Starts the connection; the caller waits for what it expects.
  void start(RedisEndpoint const& endpoint) {
    connection_.emplace(
        context_.get_executor(), endpoint, RedisConnectionOptions{},
        RedisConnection::Events{.on_up = [this] { ++ups_; },
                                .on_down = [this](auto const&) { ++downs_; },
                                .on_refused = [this](auto const& refusal) { refusals_.push_back(refusal.reason); }});
    connection_->start("test");
  }

  int ups_ = 0;
  int downs_ = 0;
  std::vector<std::string> refusals_;
};

TEST_F(RedisAuthTest, APasswordAloneAuthenticatesAsTheDefaultUser) {
  start(endpoint("", admin_password));
  run_until([this] { return ups_ == 1; });
  EXPECT_EQ(ask({"ACL", "WHOAMI"}).text, "default");
  EXPECT_TRUE(refusals_.empty());
}

TEST_F(RedisAuthTest, AUserAndPasswordAuthenticateAsThatAclUser) {
  start(endpoint("app", app_password));
  run_until([this] { return ups_ == 1; });
  EXPECT_EQ(ask({"ACL", "WHOAMI"}).text, "app");
}

TEST_F(RedisAuthTest, AWrongPasswordIsRefusedNeverUpAndRetried) {
  start(endpoint("app", "wrong"));
  run_until([this] { return refusals_.size() >= 2; });
  EXPECT_EQ(ups_, 0);
  EXPECT_FALSE(connection_->up());
  EXPECT_TRUE(refusals_.front().starts_with("WRONGPASS")) << refusals_.front();
  EXPECT_GE(downs_, 2) << "each refusal is a lost connection too";
}

TEST_F(RedisAuthTest, NoPasswordWhereOneIsRequiredIsRefused) {
  start(endpoint("", ""));
  run_until([this] { return !refusals_.empty(); });
  EXPECT_EQ(ups_, 0);
  EXPECT_TRUE(refusals_.front().starts_with("NOAUTH")) << refusals_.front();
}

TEST_F(RedisAuthTest, APasswordChangedWhileConnectedIsRefusedAtTheReconnectionAndTakenBackOnceRestored) {
  start(endpoint("app", app_password));
  run_until([this] { return ups_ == 1; });
  ASSERT_EQ(ask({"ACL", "SETUSER", "app", "resetpass", ">changed"}).kind, RedisReply::Kind::status);
  std::optional<RedisReply> killed;
  connection_->command({"CLIENT", "KILL", "TYPE", "normal", "SKIPME", "no"},
                       [&killed](RedisReply const& reply) { killed = reply; });
  run_until([this] { return !refusals_.empty(); });
  EXPECT_EQ(ups_, 1);

  // Restored through a connection of the new password's; ours comes back at its next attempt.
  RedisConnection admin(context_.get_executor(), endpoint("app", "changed"), RedisConnectionOptions{}, {});
  admin.start("admin");
  run_until([&admin] { return admin.up(); });
  std::optional<RedisReply> restored;
  admin.command({"ACL", "SETUSER", "app", "resetpass", std::string(">") + app_password},
                [&restored](RedisReply const& reply) { restored = reply; });
  run_until([this] { return ups_ == 2; });
  EXPECT_EQ(ask({"ACL", "WHOAMI"}).text, "app");
  admin.stop();
}

}  // namespace
}  // namespace wshub
