// Tests the Redis connection against a real redis-server: pipelined replies in order, failures, reconnection,
// reply deadlines.
#include "cluster/redis_connection.hpp"

#include <optional>
#include <thread>

#include <gtest/gtest.h>
#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include "redis_fixture.hpp"

namespace wshub {
namespace {

class RedisConnectionTest : public testing::RedisFixture {
 protected:
  RedisConnection& connect(RedisConnectionOptions options = {}) {
    connection_.emplace(context_.get_executor(), RedisEndpoint{.host = "127.0.0.1", .port = redis_.port()}, options,
                        events());
    connection_->start("test");
    run_until([this] { return ups_ == 1; });
    return *connection_;
  }

  // Another client kills every normal connection but its own: ours.
  void kill_our_connection() {
    asio::io_context other;
    tcp::socket killer(other);
    killer.connect({asio::ip::make_address("127.0.0.1"), redis_.port()});
    std::string kill;
    append_redis_command(kill, {"CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"});
    asio::write(killer, asio::buffer(kill));
  }

  RedisConnection::Events events() {
    return {.on_up = [this] { ++ups_; }, .on_down = [this](auto const&) { ++downs_; }};
  }

  int ups_ = 0;
  int downs_ = 0;
};

TEST_F(RedisConnectionTest, AnswersPipelinedCommandsInOrder) {
  auto& connection = connect();
  std::vector<std::int64_t> counts;
  for (int i = 0; i < 200; ++i) {
    connection.command({"INCR", "counter"}, [&counts](RedisReply const& reply) { counts.push_back(reply.integer); });
  }
  run_until([&counts] { return counts.size() == 200; });
  for (std::size_t i = 0; i < counts.size(); ++i) EXPECT_EQ(counts[i], static_cast<std::int64_t>(i + 1));
}

TEST_F(RedisConnectionTest, ReadsEveryKindOfReply) {
  connect();
  EXPECT_EQ(ask({"SET", "key", std::string("a\r\nb\0c", 6)}).kind, RedisReply::Kind::status);
  auto const value = ask({"GET", "key"});
  EXPECT_EQ(value.kind, RedisReply::Kind::string);
  EXPECT_EQ(value.text, std::string("a\r\nb\0c", 6));
  EXPECT_EQ(ask({"GET", "missing"}).kind, RedisReply::Kind::nil);
  ask({"RPUSH", "list", "x", "y"});
  auto const list = ask({"LRANGE", "list", "0", "-1"});
  ASSERT_EQ(list.kind, RedisReply::Kind::array);
  ASSERT_EQ(list.elements.size(), 2U);
  EXPECT_EQ(list.elements[1].text, "y");
  auto const error = ask({"NOSUCHCOMMAND"});
  EXPECT_TRUE(error.is_error());
  EXPECT_NE(error.text.find("unknown command"), std::string::npos);
}

TEST_F(RedisConnectionTest, ReconnectsAfterItsConnectionIsKilledAndFailsWhatWasPending) {
  auto& connection = connect();
  std::optional<RedisReply> blocked;
  connection.command({"BLPOP", "nothing", "0"}, [&blocked](RedisReply const& reply) { blocked = reply; });
  kill_our_connection();
  run_until([&] { return blocked.has_value() && ups_ == 2; });
  EXPECT_TRUE(blocked->is_error());
  EXPECT_EQ(downs_, 1);
  EXPECT_EQ(ask({"PING"}).text, "PONG");
}

TEST_F(RedisConnectionTest, EveryCommandPendingWhenTheConnectionIsLostIsAnsweredExactlyOnce) {
  auto& connection = connect();
  // Behind a blocking command, Redis holds the rest of the pipeline: all of them are pending when the kill comes.
  constexpr std::size_t pending = 20;
  std::vector<int> answers(pending + 1, 0);
  std::vector<int> errors(pending + 1, 0);
  auto const handler = [&answers, &errors](std::size_t i) {
    // Owns something only movable, as a reply handler that finishes a hub's completion does.
    return [&answers, &errors, owned = std::make_unique<std::size_t>(i)](RedisReply const& reply) {
      ++answers[*owned];
      if (reply.is_error()) ++errors[*owned];
    };
  };
  connection.command({"BLPOP", "nothing", "0"}, handler(0));
  for (std::size_t i = 1; i <= pending; ++i) connection.command({"PING"}, handler(i));
  kill_our_connection();
  run_until([this] { return ups_ == 2; });
  EXPECT_EQ(ask({"PING"}).text, "PONG");  // a few more turns, in which a second answer would show
  EXPECT_EQ(answers, std::vector<int>(pending + 1, 1));
  EXPECT_EQ(errors, std::vector<int>(pending + 1, 1));
}

TEST_F(RedisConnectionTest, ADestroyedConnectionDropsItsPendingHandlersUncalledAndFreesThem) {
  auto& connection = connect();
  auto const owned = std::make_shared<int>(0);
  int calls = 0;
  connection.command({"BLPOP", "nothing", "0"}, [owned, &calls](RedisReply const&) { ++calls; });
  connection.command({"PING"}, [owned, &calls](RedisReply const&) { ++calls; });
  EXPECT_EQ(owned.use_count(), 3);
  connection_.reset();  // the context does not run again: what it still holds is destroyed uncalled with it
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(owned.use_count(), 1) << "a pending reply handler outlived its connection";
}

TEST_F(RedisConnectionTest, ACommandWhileDownFailsLaterNeverInline) {
  connection_.emplace(context_.get_executor(), RedisEndpoint{.host = "127.0.0.1", .port = 1}, RedisConnectionOptions{},
                      RedisConnection::Events{});
  bool answered = false;
  connection_->command({"PING"}, [&answered](RedisReply const& reply) { answered = reply.is_error(); });
  EXPECT_FALSE(answered);
  run_until([&answered] { return answered; });
}

using std::chrono::milliseconds;
constexpr auto short_reply_timeout = milliseconds(200);

TEST_F(RedisConnectionTest, ARedisThatStopsAnsweringFailsTheCommandAtItsDeadlineAndCountsAsDown) {
  auto& connection = connect({.reply_timeout = short_reply_timeout});
  redis_.pause();
  std::optional<RedisReply> answer;
  auto const sent = std::chrono::steady_clock::now();
  connection.command({"PING"}, [&answer](RedisReply const& reply) { answer = reply; });
  run_until([&answer] { return answer.has_value(); });
  auto const waited = std::chrono::steady_clock::now() - sent;
  EXPECT_TRUE(answer->is_error());
  EXPECT_GE(waited, short_reply_timeout);
  EXPECT_LT(waited, short_reply_timeout + milliseconds(800));
  EXPECT_FALSE(connection.up());
  // Reconnecting completes TCP handshakes from the stopped server's backlog; none counts as up.
  run_until([this] { return downs_ >= 3; });
  EXPECT_EQ(ups_, 1);
  redis_.resume();
  run_until([this] { return ups_ == 2; });
  EXPECT_EQ(ask({"PING"}).text, "PONG");
}

TEST_F(RedisConnectionTest, ABlockingCommandHasItsBlockTimeOnTopOfTheReplyTimeout) {
  auto& connection = connect({.reply_timeout = short_reply_timeout});
  std::optional<RedisReply> answer;
  connection.command(
      {"BLPOP", "nothing", "0.5"}, [&answer](RedisReply const& reply) { answer = reply; }, milliseconds(500));
  run_until([&answer] { return answer.has_value(); });
  EXPECT_EQ(answer->kind, RedisReply::Kind::nil);
  EXPECT_EQ(downs_, 0);
}

TEST_F(RedisConnectionTest, AReplyThatArrivedWhileThisProcessWasNotRunningIsNotLate) {
  auto& connection = connect({.reply_timeout = short_reply_timeout});
  std::optional<RedisReply> answer;
  connection.command({"PING"}, [&answer](RedisReply const& reply) { answer = reply; });
  // Nothing runs the connection past its deadline, as when the whole process was stopped: the reply and the
  // deadline are both due when it runs again.
  std::this_thread::sleep_for(3 * short_reply_timeout);
  run_until([&answer] { return answer.has_value(); });
  EXPECT_EQ(answer->text, "PONG");
  EXPECT_EQ(downs_, 0);
}

TEST_F(RedisConnectionTest, AServerThatAcceptsButNeverAnswersIsNeverUp) {
  tcp::acceptor silent(context_, {asio::ip::make_address("127.0.0.1"), 0});
  connection_.emplace(context_.get_executor(),
                      RedisEndpoint{.host = "127.0.0.1", .port = silent.local_endpoint().port()},
                      RedisConnectionOptions{.reply_timeout = short_reply_timeout}, events());
  connection_->start("test");
  run_until([this] { return downs_ >= 2; });
  EXPECT_EQ(ups_, 0);
}

}  // namespace
}  // namespace wshub
