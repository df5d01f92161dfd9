// Tests running Lua scripts by their SHA-1 against a real redis-server: the text sent once a connection, every call
// answered in order, and a script cache emptied under a live connection (SCRIPT FLUSH) neither failing nor
// reordering a call.
#include "cluster/redis_script.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "cluster/redis_connection.hpp"
#include "redis_fixture.hpp"

namespace wshub {
namespace {

// Appends ARGV[1] to the list KEYS[1] and returns the list's length: the order Redis ran the calls in.
constexpr char const* append_script = "return redis.call('RPUSH', KEYS[1], ARGV[1])";

class RedisScriptTest : public testing::RedisFixture {
 protected:
  void connect_scripting() {
    scripting_ = std::make_unique<ScriptingLink>(
        [this](RedisLink::Events events) {
          return std::make_unique<RedisConnection>(context_.get_executor(),
                                                   RedisEndpoint{.host = "127.0.0.1", .port = redis_.port()},
                                                   RedisConnectionOptions{}, std::move(events));
        },
        RedisLink::Events{.on_up = [this] { ++ups_; }, .on_down = {}, .on_refused = {}});
    scripting_->start("scripting");
    run_until([this] { return ups_ == 1; });
  }

  // Appends each value through the script, in one pipeline; the replies in the order they were handed over.
  void append(std::vector<std::string> const& values) {
    for (auto const& value : values) {
      scripting_->run(script_, {"1", "list", value},
                      [this, value](RedisReply const& reply) { answers_.emplace_back(value, reply); });
    }
  }

  // How many commands of that name Redis has run, from INFO commandstats (cmdstat_evalsha:calls=3,...).
  std::int64_t calls_of(std::string const& name) {
    auto const info = ask({"INFO", "commandstats"}).text;
    auto const key = "cmdstat_" + name + ":calls=";
    auto const at = info.find(key);
    if (at == std::string::npos) return 0;
    return std::stoll(info.substr(at + key.size()));
  }

  std::vector<std::string> list() {
    std::vector<std::string> values;
    for (auto const& element : ask({"LRANGE", "list", "0", "-1"}).elements) values.push_back(element.text);
    return values;
  }

  RedisScript const script_{append_script};
  std::unique_ptr<ScriptingLink> scripting_;
  std::vector<std::pair<std::string, RedisReply>> answers_;
  int ups_ = 0;
};

TEST_F(RedisScriptTest, NamesAScriptByTheSha1RedisGivesIt) {
  connect();
  EXPECT_EQ(script_.sha1(), ask({"SCRIPT", "LOAD", append_script}).text);
  EXPECT_EQ(RedisScript("return 1").sha1(), "e0e1f9fabfc9d4800c877a703b823ac0578ff8db");
}

TEST_F(RedisScriptTest, SendsTheTextOnceAConnectionThenOnlyTheSha1) {
  connect();
  connect_scripting();
  append({"a", "b", "c", "d"});
  run_until([this] { return answers_.size() == 4; });
  EXPECT_EQ(calls_of("eval"), 1);
  EXPECT_EQ(calls_of("evalsha"), 3);
  EXPECT_EQ(list(), (std::vector<std::string>{"a", "b", "c", "d"}));
}

TEST_F(RedisScriptTest, ACacheFlushedMidPipelineRunsEveryCallOnceInTheOrderMadeAndAnswersInThatOrder) {
  connect();
  connect_scripting();
  append({"1", "2", "3"});
  std::optional<RedisReply> flushed;
  scripting_->command({"SCRIPT", "FLUSH"}, [&flushed](RedisReply const& reply) { flushed = reply; });
  append({"4", "5", "6"});
  std::optional<std::size_t> answered_before_incr;
  scripting_->command({"INCR", "after"},
                      [this, &answered_before_incr](RedisReply const&) { answered_before_incr = answers_.size(); });
  append({"7", "8"});
  run_until([this] { return answers_.size() == 8; });

  EXPECT_EQ(list(), (std::vector<std::string>{"1", "2", "3", "4", "5", "6", "7", "8"}));
  for (std::size_t i = 0; i < answers_.size(); ++i) {
    EXPECT_EQ(answers_[i].first, std::to_string(i + 1)) << "answered in the order called";
    EXPECT_EQ(answers_[i].second.integer, static_cast<std::int64_t>(i + 1)) << "run in the order called";
  }
  ASSERT_TRUE(flushed.has_value());
  EXPECT_EQ(answered_before_incr, 6U) << "a plain command is answered in its place too";
  EXPECT_GE(calls_of("evalsha"), 3);
}

TEST_F(RedisScriptTest, AFlushBetweenCallsCostsARetryWithTheTextForEachCallThatFoundTheCacheEmpty) {
  connect();
  connect_scripting();
  append({"a"});
  run_until([this] { return answers_.size() == 1; });
  ask({"SCRIPT", "FLUSH"});
  append({"b", "c"});
  run_until([this] { return answers_.size() == 3; });
  EXPECT_EQ(list(), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(calls_of("eval"), 3) << "the first call, then b and c again";
  append({"d"});
  run_until([this] { return answers_.size() == 4; });
  EXPECT_EQ(calls_of("eval"), 3) << "loaded again: d goes by its SHA-1";
}

TEST_F(RedisScriptTest, ANewConnectionSendsTheTextAgain) {
  connect();
  connect_scripting();
  append({"a"});
  run_until([this] { return answers_.size() == 1; });
  ask({"CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"});
  run_until([this] { return ups_ == 2; });
  append({"b"});
  run_until([this] { return answers_.size() == 2; });
  EXPECT_EQ(calls_of("eval"), 2);
  EXPECT_EQ(calls_of("evalsha"), 0);
}

}  // namespace
}  // namespace wshub
