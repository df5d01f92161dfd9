// A test fixture with a throw-away redis-server and a RedisConnection to it, driven on the test's own thread.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>

#include "cluster/redis_connection.hpp"
#include "redis_server.hpp"

namespace wshub::testing {

class RedisFixture : public ::testing::Test {
 protected:
  // server_args: more of redis-server's settings, such as a password to require.
  explicit RedisFixture(std::vector<std::string> const& server_args = {}) : redis_(server_args) {}

  // Runs the connection's handlers until the condition holds, for at most 10 s.
  template <typename Condition>
  void run_until(Condition condition) {
    auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!condition() && std::chrono::steady_clock::now() < deadline)
      context_.run_one_for(std::chrono::milliseconds(50));
    ASSERT_TRUE(condition());
  }

  // Connects to the test's redis-server and waits until the connection is up.
  void connect() {
    connection_.emplace(context_.get_executor(), RedisEndpoint{.host = "127.0.0.1", .port = redis_.port()},
                        RedisConnectionOptions{},
                        RedisConnection::Events{.on_up = [this] { up_ = true; }, .on_down = {}});
    connection_->start("test");
    run_until([this] { return up_; });
  }

  // Sends one command and waits for its reply.
  RedisReply ask(std::vector<std::string> const& args) {
    std::optional<RedisReply> answer;
    connection_->command(args, [&answer](RedisReply const& reply) { answer = reply; });
    run_until([&answer] { return answer.has_value(); });
    return answer.value_or(RedisReply{});
  }

  RedisServer redis_;
  asio::io_context context_;
  std::optional<RedisConnection> connection_;
  bool up_ = false;
};

}  // namespace wshub::testing
