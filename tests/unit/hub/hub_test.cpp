// Tests the hub's registry (order, duplicates, removal), broadcast, and what shutdown asks of it.
#include "hub/hub.hpp"

#include "hub/local_backplane.hpp"
#include "hub_fakes.hpp"

#include <atomic>
#include <optional>
#include <thread>

#include <gtest/gtest.h>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/io_context.hpp>

namespace wshub {
namespace {

using testing::backplane_thread;
using testing::FakeClient;
using testing::HeldClaims;

LocalBackplane local(backplane_thread.get_executor());  // stateless: one serves every test

// A single node admits or refuses at once; this checks that and turns the answer into a value.
JoinOutcome join(Hub& hub, ClientId id, std::shared_ptr<HubClient> client) {
  auto const outcome = hub.join(id, std::move(client), [](JoinOutcome) { ADD_FAILURE() << "answered later"; });
  EXPECT_TRUE(outcome.has_value());
  return outcome.value_or(JoinOutcome::shutting_down);
}

// Runs the broadcast's completion where it is bound to run, and checks that it did not run inside the call.
std::size_t broadcast(Hub& hub, std::string text) {
  asio::io_context caller;
  std::optional<std::size_t> sent;
  hub.broadcast(std::move(text), asio::bind_executor(caller, [&sent](std::size_t count) { sent = count; }));
  EXPECT_FALSE(sent.has_value()) << "answered inside broadcast()";
  caller.run();
  EXPECT_TRUE(sent.has_value());
  return sent.value_or(0);
}

TEST(Hub, ListsClientsInConnectionOrder) {
  Hub hub(local);
  for (ClientId id : {5, -3, 12, 0}) EXPECT_EQ(join(hub, id, std::make_shared<FakeClient>()), JoinOutcome::joined);
  EXPECT_EQ(hub.local_client_ids(), (std::vector<ClientId>{5, -3, 12, 0}));
  EXPECT_EQ(hub.client_count(), 4U);
}

TEST(Hub, RefusesADuplicateAndKeepsTheOriginal) {
  Hub hub(local);
  auto original = std::make_shared<FakeClient>();
  auto duplicate = std::make_shared<FakeClient>();
  ASSERT_EQ(join(hub, 7, original), JoinOutcome::joined);
  EXPECT_EQ(join(hub, 7, duplicate), JoinOutcome::duplicate_id);
  hub.leave(7, duplicate.get());
  EXPECT_EQ(hub.local_client_ids(), std::vector<ClientId>{7});
  broadcast(hub, "still here");
  EXPECT_EQ(original->delivered.size(), 1U);
  EXPECT_TRUE(duplicate->delivered.empty());
}

TEST(Hub, RefusesOneMoreThanTheLimitUntilSomeoneLeaves) {
  Hub hub(local, {.max_clients = 2});
  auto first = std::make_shared<FakeClient>();
  ASSERT_EQ(join(hub, 1, first), JoinOutcome::joined);
  ASSERT_EQ(join(hub, 2, std::make_shared<FakeClient>()), JoinOutcome::joined);
  EXPECT_EQ(join(hub, 3, std::make_shared<FakeClient>()), JoinOutcome::over_limit);
  EXPECT_EQ(join(hub, 1, std::make_shared<FakeClient>()), JoinOutcome::duplicate_id);
  hub.leave(1, first.get());
  EXPECT_EQ(join(hub, 3, std::make_shared<FakeClient>()), JoinOutcome::joined);
  EXPECT_EQ(hub.local_client_ids(), (std::vector<ClientId>{2, 3}));
}

TEST(Hub, AdmitsUntilToldToStop) {
  Hub hub(local);
  EXPECT_TRUE(hub.admitting());
  hub.stop_admitting();
  EXPECT_FALSE(hub.admitting());
  EXPECT_EQ(join(hub, 1, std::make_shared<FakeClient>()), JoinOutcome::shutting_down);
}

TEST(Hub, LeaveRemovesAndFreesTheId) {
  Hub hub(local);
  auto first = std::make_shared<FakeClient>();
  join(hub, 1, first);
  join(hub, 2, std::make_shared<FakeClient>());
  hub.leave(1, first.get());
  EXPECT_EQ(hub.local_client_ids(), std::vector<ClientId>{2});
  EXPECT_EQ(join(hub, 1, std::make_shared<FakeClient>()), JoinOutcome::joined);
  EXPECT_EQ(hub.local_client_ids(), (std::vector<ClientId>{2, 1}));
  hub.leave(99, first.get());
  EXPECT_EQ(hub.client_count(), 2U);
}

TEST(Hub, BroadcastSharesOneBufferWithEveryClient) {
  Hub hub(local);
  std::vector<std::shared_ptr<FakeClient>> clients;
  for (ClientId id = 0; id < 3; ++id) {
    clients.push_back(std::make_shared<FakeClient>());
    join(hub, id, clients.back());
  }
  EXPECT_EQ(broadcast(hub, "hello"), 3U);
  for (auto const& client : clients) {
    ASSERT_EQ(client->delivered.size(), 1U);
    EXPECT_EQ(client->delivered.front().payload(), "hello");
    // Encoded once: every client holds the very same bytes.
    EXPECT_EQ(client->delivered.front().bytes().data(), clients.front()->delivered.front().bytes().data());
  }
}

TEST(Hub, BroadcastToNobodySendsNothing) {
  Hub hub(local);
  EXPECT_EQ(broadcast(hub, "anyone?"), 0U);
}

TEST(Hub, RefusesNewClientsOnceAdmissionStops) {
  Hub hub(local);
  join(hub, 1, std::make_shared<FakeClient>());
  hub.stop_admitting();
  EXPECT_EQ(join(hub, 2, std::make_shared<FakeClient>()), JoinOutcome::shutting_down);
  EXPECT_EQ(hub.local_client_ids(), std::vector<ClientId>{1});
}

TEST(Hub, CloseAllClosesEveryClientWithTheCodeAndReason) {
  Hub hub(local);
  auto a = std::make_shared<FakeClient>();
  auto b = std::make_shared<FakeClient>();
  join(hub, 1, a);
  join(hub, 2, b);
  hub.close_all(CloseCode::going_away, shutting_down_reason);
  for (auto const& client : {a, b}) {
    ASSERT_EQ(client->closes.size(), 1U);
    EXPECT_EQ(client->closes.front().first, CloseCode::going_away);
    EXPECT_EQ(client->closes.front().second, shutting_down_reason);
  }
}

TEST(Hub, WhenEmptyWithNobodyConnectedAnswersAfterTheCallOnTheHandlersExecutor) {
  Hub hub(local);
  asio::io_context caller;
  int calls = 0;
  hub.when_empty(asio::bind_executor(caller, [&calls] { ++calls; }));
  EXPECT_EQ(calls, 0) << "answered inside when_empty()";
  caller.run();
  EXPECT_EQ(calls, 1);
}

TEST(Hub, WhenEmptyAnswersOnceAfterTheLastClientLeftNeverInsideLeave) {
  Hub hub(local);
  asio::io_context caller;
  auto a = std::make_shared<FakeClient>();
  auto b = std::make_shared<FakeClient>();
  join(hub, 1, a);
  join(hub, 2, b);
  int calls = 0;
  hub.when_empty(asio::bind_executor(caller, [&calls] { ++calls; }));
  hub.leave(1, a.get());
  caller.poll();
  EXPECT_EQ(calls, 0);
  hub.leave(2, b.get());
  EXPECT_EQ(calls, 0) << "answered inside leave()";
  caller.restart();
  caller.run();
  EXPECT_EQ(calls, 1);
  join(hub, 3, a);
  hub.leave(3, a.get());
  caller.restart();
  caller.run();
  EXPECT_EQ(calls, 1);
}

TEST(Hub, LeavingTheClusterAnswersAfterTheCallOnTheHandlersExecutor) {
  Hub hub(local);
  asio::io_context caller;
  int calls = 0;
  hub.leave_cluster(asio::bind_executor(caller, [&calls] { ++calls; }));
  EXPECT_EQ(calls, 0) << "answered inside leave_cluster()";
  caller.run();
  EXPECT_EQ(calls, 1);
}

TEST(Hub, StaysConsistentUnderConcurrentJoinsLeavesAndBroadcasts) {
  Hub hub(local);
  constexpr int threads = 4;
  constexpr int rounds = 2000;
  std::atomic<std::size_t> sent{0};
  std::vector<std::jthread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&hub, &sent, t] {
      auto client = std::make_shared<FakeClient>();
      for (int i = 0; i < rounds; ++i) {
        ClientId const id = t * rounds + i;
        EXPECT_EQ(join(hub, id, client), JoinOutcome::joined);
        sent += broadcast(hub, "x");
        hub.leave(id, client.get());
      }
    });
  }
  workers.clear();
  EXPECT_EQ(hub.client_count(), 0U);
  EXPECT_GE(sent.load(), static_cast<std::size_t>(threads * rounds));
}

TEST(Hub, AnswersAJoinTheClusterMustDecideLaterOnTheCallersExecutor) {
  HeldClaims cluster;
  Hub hub(cluster);
  asio::io_context caller;
  std::optional<JoinOutcome> answered;
  auto const at_once = hub.join(4, std::make_shared<FakeClient>(),
                                asio::bind_executor(caller, [&](JoinOutcome outcome) { answered = outcome; }));
  EXPECT_FALSE(at_once.has_value());
  // Until the cluster answers, the id counts as taken here.
  EXPECT_EQ(join(hub, 4, std::make_shared<FakeClient>()), JoinOutcome::duplicate_id);
  ASSERT_EQ(cluster.held.size(), 1U);
  complete_later(backplane_thread.get_executor(), std::move(cluster.held.front()), true);
  EXPECT_FALSE(answered.has_value()) << "ran on the backplane's thread, not the caller's";
  caller.run();
  EXPECT_EQ(answered, JoinOutcome::joined);
  EXPECT_EQ(hub.local_client_ids(), std::vector<ClientId>{4});
}

TEST(Hub, GivesBackAnIdTheClusterGrantedAfterTheDrainBegan) {
  HeldClaims cluster;
  Hub hub(cluster);
  asio::io_context caller;
  std::optional<JoinOutcome> answered;
  hub.join(8, std::make_shared<FakeClient>(),
           asio::bind_executor(caller, [&](JoinOutcome outcome) { answered = outcome; }));
  hub.stop_admitting();
  ASSERT_EQ(cluster.held.size(), 1U);
  complete_later(backplane_thread.get_executor(), std::move(cluster.held.front()), true);
  caller.run();
  EXPECT_EQ(answered, JoinOutcome::shutting_down);
  EXPECT_EQ(cluster.released, std::vector<ClientId>{8});
  EXPECT_EQ(hub.client_count(), 0U);
}

TEST(Hub, WithReplaceANewcomerTakesTheIdAndTheOlderConnectionIsClosedWith4000) {
  Hub hub(local, {.max_clients = 2, .duplicate_policy = DuplicatePolicy::replace});
  auto older = std::make_shared<FakeClient>();
  auto newer = std::make_shared<FakeClient>();
  ASSERT_EQ(join(hub, 1, older), JoinOutcome::joined);
  ASSERT_EQ(join(hub, 2, std::make_shared<FakeClient>()), JoinOutcome::joined);
  // At the limit, a replacement still gets in: it takes the place of the connection it replaces.
  EXPECT_EQ(join(hub, 1, newer), JoinOutcome::joined);
  ASSERT_EQ(older->closes.size(), 1U);
  EXPECT_EQ(older->closes.front(), std::pair(CloseCode::replaced, std::string(replaced_reason)));
  EXPECT_EQ(hub.local_client_ids(), (std::vector<ClientId>{2, 1}));
  // The older connection leaving later frees nothing: the id is the newer one's.
  hub.leave(1, older.get());
  EXPECT_EQ(hub.client_count(), 2U);
  broadcast(hub, "to the newer");
  EXPECT_EQ(newer->delivered.size(), 1U);
  EXPECT_TRUE(older->delivered.empty());
}

TEST(Hub, WithReplaceAClaimSupersededByANewerConnectionElsewhereIsRefusedAsReplaced) {
  HeldClaims cluster;
  Hub hub(cluster, {.max_clients = 0, .duplicate_policy = DuplicatePolicy::replace});
  asio::io_context caller;
  std::vector<JoinOutcome> answered;
  auto const record = [&](JoinOutcome outcome) { answered.push_back(outcome); };
  hub.join(5, std::make_shared<FakeClient>(), asio::bind_executor(caller, record));
  hub.join(6, std::make_shared<FakeClient>(), asio::bind_executor(caller, record));
  ASSERT_EQ(cluster.claimed.size(), 2U);
  // The cluster tells this node to close its connection 5 before the claim's own answer arrives; a close naming
  // another join time (an earlier connection) supersedes nothing.
  hub.close_local(cluster.claimed[0], CloseCode::replaced, std::string(replaced_reason));
  hub.close_local({6, cluster.claimed[1].joined_at - std::chrono::seconds(1)}, CloseCode::replaced, "");
  complete_later(backplane_thread.get_executor(), std::move(cluster.held[0]), true);
  complete_later(backplane_thread.get_executor(), std::move(cluster.held[1]), true);
  caller.run();
  EXPECT_EQ(answered, (std::vector<JoinOutcome>{JoinOutcome::replaced, JoinOutcome::joined}));
  EXPECT_EQ(hub.local_client_ids(), std::vector<ClientId>{6});
  EXPECT_TRUE(cluster.released.empty()) << "id 5 is the newer connection's: nothing to release";
}

TEST(Hub, WithReplaceAnOlderConnectionHereKeepsItsIdWhenTheNewcomersClaimEndsInTheDrain) {
  HeldClaims cluster;
  Hub hub(cluster, {.max_clients = 0, .duplicate_policy = DuplicatePolicy::replace});
  auto older = std::make_shared<FakeClient>();
  hub.join(6, older, [](JoinOutcome) {});
  complete_later(backplane_thread.get_executor(), std::move(cluster.held.front()), true);
  backplane_thread.restart();
  backplane_thread.run();
  ASSERT_EQ(hub.local_client_ids(), std::vector<ClientId>{6});
  asio::io_context caller;
  std::optional<JoinOutcome> answered;
  hub.join(6, std::make_shared<FakeClient>(),
           asio::bind_executor(caller, [&](JoinOutcome outcome) { answered = outcome; }));
  hub.stop_admitting();
  complete_later(backplane_thread.get_executor(), std::move(cluster.held.back()), true);
  caller.run();
  EXPECT_EQ(answered, JoinOutcome::shutting_down);
  EXPECT_TRUE(cluster.released.empty()) << "the older connection still holds the id";
  EXPECT_TRUE(older->closes.empty());
}

TEST(Hub, CountsABroadcastOnTheOtherNodesWhenTheClusterAnswers) {
  HeldClaims cluster;
  Hub hub(cluster);
  asio::io_context caller;
  std::optional<std::size_t> counted;
  hub.broadcast("hi", asio::bind_executor(caller, [&](std::size_t count) { counted = count; }));
  ASSERT_EQ(cluster.held_counts.size(), 1U);
  complete_later(backplane_thread.get_executor(), std::move(cluster.held_counts.front()), std::size_t{5});
  caller.run();
  EXPECT_EQ(counted, 5U);
}

}  // namespace
}  // namespace wshub
