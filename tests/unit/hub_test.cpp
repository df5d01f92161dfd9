// Tests the hub's registry (order, duplicates, removal), broadcast, and what shutdown asks of it.
#include "hub.hpp"

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

namespace wshub {
namespace {

class FakeClient final : public HubClient {
 public:
  void deliver(SharedFrame frame) override {
    std::scoped_lock lock(mutex_);
    delivered.push_back(std::move(frame));
  }
  void close(CloseCode code, std::string reason) override {
    std::scoped_lock lock(mutex_);
    closes.emplace_back(code, std::move(reason));
  }

  std::vector<SharedFrame> delivered;
  std::vector<std::pair<CloseCode, std::string>> closes;

 private:
  std::mutex mutex_;
};

TEST(Hub, ListsClientsInConnectionOrder) {
  Hub hub;
  for (ClientId id : {5, -3, 12, 0}) EXPECT_EQ(hub.join(id, std::make_shared<FakeClient>()), JoinOutcome::joined);
  EXPECT_EQ(hub.client_ids(), (std::vector<ClientId>{5, -3, 12, 0}));
  EXPECT_EQ(hub.client_count(), 4U);
}

TEST(Hub, RefusesADuplicateAndKeepsTheOriginal) {
  Hub hub;
  auto original = std::make_shared<FakeClient>();
  auto duplicate = std::make_shared<FakeClient>();
  ASSERT_EQ(hub.join(7, original), JoinOutcome::joined);
  EXPECT_EQ(hub.join(7, duplicate), JoinOutcome::duplicate_id);
  hub.leave(7, duplicate.get());
  EXPECT_EQ(hub.client_ids(), std::vector<ClientId>{7});
  hub.broadcast("still here");
  EXPECT_EQ(original->delivered.size(), 1U);
  EXPECT_TRUE(duplicate->delivered.empty());
}

TEST(Hub, RefusesOneMoreThanTheLimitUntilSomeoneLeaves) {
  Hub hub({.max_clients = 2});
  auto first = std::make_shared<FakeClient>();
  ASSERT_EQ(hub.join(1, first), JoinOutcome::joined);
  ASSERT_EQ(hub.join(2, std::make_shared<FakeClient>()), JoinOutcome::joined);
  EXPECT_EQ(hub.join(3, std::make_shared<FakeClient>()), JoinOutcome::over_limit);
  EXPECT_EQ(hub.join(1, std::make_shared<FakeClient>()), JoinOutcome::duplicate_id);
  hub.leave(1, first.get());
  EXPECT_EQ(hub.join(3, std::make_shared<FakeClient>()), JoinOutcome::joined);
  EXPECT_EQ(hub.client_ids(), (std::vector<ClientId>{2, 3}));
}

TEST(Hub, AdmitsUntilToldToStop) {
  Hub hub;
  EXPECT_TRUE(hub.admitting());
  hub.stop_admitting();
  EXPECT_FALSE(hub.admitting());
  EXPECT_EQ(hub.join(1, std::make_shared<FakeClient>()), JoinOutcome::shutting_down);
}

TEST(Hub, LeaveRemovesAndFreesTheId) {
  Hub hub;
  auto first = std::make_shared<FakeClient>();
  hub.join(1, first);
  hub.join(2, std::make_shared<FakeClient>());
  hub.leave(1, first.get());
  EXPECT_EQ(hub.client_ids(), std::vector<ClientId>{2});
  EXPECT_EQ(hub.join(1, std::make_shared<FakeClient>()), JoinOutcome::joined);
  EXPECT_EQ(hub.client_ids(), (std::vector<ClientId>{2, 1}));
  hub.leave(99, first.get());
  EXPECT_EQ(hub.client_count(), 2U);
}

TEST(Hub, BroadcastSharesOneBufferWithEveryClient) {
  Hub hub;
  std::vector<std::shared_ptr<FakeClient>> clients;
  for (ClientId id = 0; id < 3; ++id) {
    clients.push_back(std::make_shared<FakeClient>());
    hub.join(id, clients.back());
  }
  EXPECT_EQ(hub.broadcast("hello"), 3U);
  for (auto const& client : clients) {
    ASSERT_EQ(client->delivered.size(), 1U);
    EXPECT_EQ(client->delivered.front().payload(), "hello");
    // Encoded once: every client holds the very same bytes.
    EXPECT_EQ(client->delivered.front().bytes().data(), clients.front()->delivered.front().bytes().data());
  }
}

TEST(Hub, BroadcastToNobodySendsNothing) {
  Hub hub;
  EXPECT_EQ(hub.broadcast("anyone?"), 0U);
}

TEST(Hub, RefusesNewClientsOnceAdmissionStops) {
  Hub hub;
  hub.join(1, std::make_shared<FakeClient>());
  hub.stop_admitting();
  EXPECT_EQ(hub.join(2, std::make_shared<FakeClient>()), JoinOutcome::shutting_down);
  EXPECT_EQ(hub.client_ids(), std::vector<ClientId>{1});
}

TEST(Hub, CloseAllClosesEveryClientWithTheCodeAndReason) {
  Hub hub;
  auto a = std::make_shared<FakeClient>();
  auto b = std::make_shared<FakeClient>();
  hub.join(1, a);
  hub.join(2, b);
  hub.close_all(CloseCode::going_away, shutting_down_reason);
  for (auto const& client : {a, b}) {
    ASSERT_EQ(client->closes.size(), 1U);
    EXPECT_EQ(client->closes.front().first, CloseCode::going_away);
    EXPECT_EQ(client->closes.front().second, shutting_down_reason);
  }
}

TEST(Hub, WhenEmptyCallsAtOnceIfNobodyIsConnected) {
  Hub hub;
  int calls = 0;
  hub.when_empty([&calls] { ++calls; });
  EXPECT_EQ(calls, 1);
}

TEST(Hub, WhenEmptyCallsOnceWhenTheLastClientLeaves) {
  Hub hub;
  auto a = std::make_shared<FakeClient>();
  auto b = std::make_shared<FakeClient>();
  hub.join(1, a);
  hub.join(2, b);
  int calls = 0;
  hub.when_empty([&calls] { ++calls; });
  hub.leave(1, a.get());
  EXPECT_EQ(calls, 0);
  hub.leave(2, b.get());
  EXPECT_EQ(calls, 1);
  hub.join(3, a);
  hub.leave(3, a.get());
  EXPECT_EQ(calls, 1);
}

TEST(Hub, StaysConsistentUnderConcurrentJoinsLeavesAndBroadcasts) {
  Hub hub;
  constexpr int threads = 4;
  constexpr int rounds = 2000;
  std::atomic<std::size_t> sent{0};
  std::vector<std::jthread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&hub, &sent, t] {
      auto client = std::make_shared<FakeClient>();
      for (int i = 0; i < rounds; ++i) {
        ClientId const id = t * rounds + i;
        EXPECT_EQ(hub.join(id, client), JoinOutcome::joined);
        sent += hub.broadcast("x");
        hub.leave(id, client.get());
      }
    });
  }
  workers.clear();
  EXPECT_EQ(hub.client_count(), 0U);
  EXPECT_GE(sent.load(), static_cast<std::size_t>(threads * rounds));
}

}  // namespace
}  // namespace wshub
