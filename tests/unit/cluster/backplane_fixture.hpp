// A RedisBackplane on two fake connections and a fake hub, driven on the test's own thread.
#pragma once

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>

#include "cluster/redis_backplane.hpp"
#include "fake_redis.hpp"

namespace wshub::testing {

// This node's clients as the backplane sees them: what it delivered, and which it closed.
class FakeClients final : public LocalClients {
 public:
  std::size_t deliver_local(std::string text) override {
    delivered.push_back(std::move(text));
    return receivers;
  }
  std::vector<LocalClient> local_clients() const override { return clients; }
  void close_local(LocalClient const& client, CloseCode, std::string) override { closed.push_back(client.id); }
  SendResult send_local(std::vector<ClientId> const& ids, std::string const& text) override {
    sent.emplace_back(ids, text);
    SendResult result;
    for (auto const id : ids) {
      if (std::ranges::any_of(clients, [id](auto const& client) { return client.id == id; })) {
        ++result.sent;
      } else {
        result.missing.push_back(id);
      }
    }
    return result;
  }
  bool disconnect_local(ClientId id, CloseCode code, std::string reason) override {
    disconnected.push_back({id, code, std::move(reason)});
    return std::ranges::any_of(clients, [id](auto const& client) { return client.id == id; });
  }

  struct Disconnected {
    ClientId id;
    CloseCode code;
    std::string reason;
  };

  std::vector<LocalClient> clients;
  std::size_t receivers = 0;
  std::vector<std::string> delivered;
  std::vector<ClientId> closed;
  std::vector<std::pair<std::vector<ClientId>, std::string>> sent;
  std::vector<Disconnected> disconnected;
};

class BackplaneFixture : public ::testing::Test {
 protected:
  static constexpr char const* node_id = "node-a";

  // From a named default, not `options = {}`: GCC 12 at -O3 takes a defaulted temporary's strings for uninitialized
  // (-Wmaybe-uninitialized) once the test body is inlined.
  void make() { make(defaults_); }
  void make(ClusterOptions options) {
    backplane_.emplace(context_.get_executor(), std::move(options), metrics_, [this](RedisLink::Events events) {
      auto link = std::make_unique<FakeRedis>(context_.get_executor(), std::move(events));
      (commands_ ? reader_ : commands_) = link.get();
      return link;
    });
    backplane_->attach(clients_, policy_);
    backplane_->start(node_id, [this](RedisRefusal const& refusal) { refused_at_start_.push_back(refusal.reason); });
    poll();
  }

  // Runs what is ready now: the calls the test just posted, and the answers on their way to their handlers.
  void poll() {
    context_.restart();
    context_.poll();
  }

  // Both connections up, both streams found empty, the first heartbeat answered: the node is live.
  void join() { join(defaults_); }
  void join(ClusterOptions options) {
    make(std::move(options));
    commands_->go_up();
    reader_->go_up();
    reader_->answer(FakeRedis::array({}));    // XREVRANGE of the broadcasts
    reader_->answer(FakeRedis::array({}));    // and of this node's counts
    commands_->answer(FakeRedis::array({}));  // the registration: no id refused
    commands_->answer(FakeRedis::nil());      // the first heartbeat's SET: no key before
    commands_->answer(FakeRedis::integer(1));
    commands_->answer(FakeRedis::integer(1));
    ASSERT_FALSE(backplane_->state().joining);
    ASSERT_TRUE(backplane_->state().connected);
    ASSERT_EQ(reader_->oldest()[0], "XREAD");
  }

  // Runs handlers until the condition holds, for at most 10 s.
  template <typename Condition>
  void run_until(Condition condition) {
    auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!condition() && std::chrono::steady_clock::now() < deadline) {
      context_.restart();
      context_.run_one_for(std::chrono::milliseconds(10));
    }
    ASSERT_TRUE(condition());
  }

  // Runs handlers for this long: to show that something does not happen.
  void run_for(std::chrono::milliseconds duration) {
    context_.restart();
    context_.run_for(duration);
  }

  // XREAD's reply with entries of one stream: each an id and its fields.
  static RedisReply stream_reply(std::string const& stream,
                                 std::vector<std::pair<std::string, std::vector<std::string>>> const& entries) {
    std::vector<RedisReply> items;
    for (auto const& [id, fields] : entries)
      items.push_back(FakeRedis::array({FakeRedis::text(id), FakeRedis::texts(fields)}));
    return FakeRedis::array({FakeRedis::array({FakeRedis::text(stream), FakeRedis::array(std::move(items))})});
  }

  ClusterOptions const defaults_;
  DuplicatePolicy policy_ = DuplicatePolicy::refuse;  // what make() attaches with
  asio::io_context context_;
  Metrics metrics_;
  FakeClients clients_;
  FakeRedis* commands_ = nullptr;
  FakeRedis* reader_ = nullptr;
  std::vector<std::string> refused_at_start_;  // what the backplane told its starter of refused credentials
  std::optional<RedisBackplane> backplane_;    // last: destroyed first, while the context no longer runs
};

}  // namespace wshub::testing
