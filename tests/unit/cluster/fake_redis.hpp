// A RedisLink that records each command and lets the test answer it, fail it, or leave it unanswered, and say
// when the connection goes up or down: the backplane's state transitions without a real Redis.
#pragma once

#include <algorithm>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/post.hpp>

#include "cluster/redis_link.hpp"
#include "protocol/net.hpp"

namespace wshub::testing {

class FakeRedis final : public RedisLink {
 public:
  struct Sent {
    std::vector<std::string> args;
    ReplyHandler handler;
  };

  FakeRedis(asio::any_io_executor executor, Events events) : executor_(std::move(executor)), events_(events) {}

  void start(std::string name) override { name_ = std::move(name); }
  bool up() const override { return up_; }
  void reconnect(std::string const& why) override {
    reconnects_.push_back(why);
    if (up_) go_down();
  }
  void command(std::vector<std::string> const& args, ReplyHandler handler, std::chrono::milliseconds) override {
    log_.push_back(args);
    // As RedisConnection does: a command sent while down fails later, never inline.
    if (!up_) {
      asio::post(executor_, [handler = std::move(handler)]() mutable {
        std::move(handler)(RedisReply::error("not connected to Redis"));
      });
      return;
    }
    unanswered_.push_back({args, std::move(handler)});
  }

  void go_up() {
    up_ = true;
    events_.on_up();
  }
  // Fails every unanswered command, then reports the loss: what RedisConnection does when it loses its socket.
  void go_down() {
    up_ = false;
    auto failed = std::exchange(unanswered_, {});
    for (auto& sent : failed) std::move(sent.handler)(RedisReply::error("connection to Redis lost"));
    events_.on_down("lost");
  }
  // What RedisConnection does when Redis refuses its credentials: reports the refusal, then the loss.
  void refuse(std::string const& reason) {
    events_.on_refused({.cause = RedisRefusal::Cause::credentials, .reason = reason});
    go_down();
  }

  // Redis answers in order: the oldest unanswered command gets this reply. Returns its arguments.
  std::vector<std::string> answer(RedisReply const& reply) {
    EXPECT_FALSE(unanswered_.empty()) << "no command to answer";
    if (unanswered_.empty()) return {};
    auto sent = std::move(unanswered_.front());
    unanswered_.pop_front();
    std::move(sent.handler)(reply);
    return sent.args;
  }
  // Answers with OK every command before the first one called `name`, which is left as the oldest.
  void answer_ok_until(std::string const& name) {
    while (!unanswered_.empty() && unanswered_.front().args[0] != name) answer(ok());
    EXPECT_FALSE(unanswered_.empty()) << "no " << name << " was sent";
  }

  // Answers with OK every command before the first script call (EVAL or EVALSHA), which is left as the oldest.
  void answer_ok_until_script() {
    while (!unanswered_.empty() && !is_script(unanswered_.front().args)) answer(ok());
    EXPECT_FALSE(unanswered_.empty()) << "no script was run";
  }
  // A Lua script's call: its text the first time on a connection, its SHA-1 after.
  static bool is_script(std::vector<std::string> const& args) {
    return !args.empty() && (args[0] == "EVAL" || args[0] == "EVALSHA");
  }
  std::size_t script_count() const { return static_cast<std::size_t>(std::ranges::count_if(log_, is_script)); }

  std::deque<Sent> const& unanswered() const { return unanswered_; }
  std::vector<std::string> const& oldest() const { return unanswered_.front().args; }
  // How many commands called `name` were sent, answered or not.
  std::size_t sent_count(std::string const& name) const {
    return static_cast<std::size_t>(
        std::count_if(log_.begin(), log_.end(), [&name](auto const& args) { return args[0] == name; }));
  }
  std::string const& name() const { return name_; }
  std::vector<std::string> const& reconnects() const { return reconnects_; }

  static RedisReply ok() { return {.kind = RedisReply::Kind::status, .integer = 0, .text = "OK", .elements = {}}; }
  static RedisReply nil() { return {}; }
  static RedisReply integer(std::int64_t value) {
    return {.kind = RedisReply::Kind::integer, .integer = value, .text = {}, .elements = {}};
  }
  static RedisReply text(std::string value) {
    return {.kind = RedisReply::Kind::string, .integer = 0, .text = std::move(value), .elements = {}};
  }
  static RedisReply array(std::vector<RedisReply> elements) {
    return {.kind = RedisReply::Kind::array, .integer = 0, .text = {}, .elements = std::move(elements)};
  }
  static RedisReply texts(std::vector<std::string> const& values) {
    std::vector<RedisReply> elements;
    for (auto const& value : values) elements.push_back(text(value));
    return array(std::move(elements));
  }

 private:
  asio::any_io_executor executor_;
  Events events_;
  std::string name_;
  bool up_ = false;
  std::deque<Sent> unanswered_;
  std::vector<std::vector<std::string>> log_;
  std::vector<std::string> reconnects_;
};

}  // namespace wshub::testing
