// Tests the hub's routes to one client or a list of them: sends, disconnects and look-ups, here or through the
// cluster, and the sends the cluster asks of this node.
#include "hub/hub.hpp"

#include <chrono>
#include <optional>

#include <gtest/gtest.h>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/io_context.hpp>

#include "hub/local_backplane.hpp"
#include "hub_fakes.hpp"

namespace wshub {
namespace {

using testing::backplane_thread;
using testing::FakeClient;
using testing::HeldClaims;
using Ids = std::vector<ClientId>;

class HubClientRoutesTest : public ::testing::Test {
 protected:
  // Joins a client, the cluster granting its id.
  std::shared_ptr<FakeClient> joined(ClientId id) {
    auto client = std::make_shared<FakeClient>();
    std::optional<JoinOutcome> outcome;
    hub_.join(id, client, asio::bind_executor(caller_, [&outcome](JoinOutcome joined) { outcome = joined; }));
    EXPECT_FALSE(cluster_.held.empty());
    if (!cluster_.held.empty()) complete_later(backplane_thread.get_executor(), std::move(cluster_.held.back()), true);
    cluster_.held.clear();
    run_caller();
    EXPECT_EQ(outcome, JoinOutcome::joined);
    return client;
  }

  // Starts a send, checks it was not answered inside the call, and runs what is ready.
  std::optional<SendResult> send(Ids ids, std::string text) {
    std::optional<SendResult> result;
    hub_.send_to(std::move(ids), std::move(text),
                 asio::bind_executor(caller_, [&result](SendResult answer) { result = std::move(answer); }));
    EXPECT_FALSE(result.has_value()) << "answered inside send_to()";
    run_caller();
    return result;
  }

  void run_caller() {
    caller_.restart();
    caller_.run();
  }

  static std::vector<std::string> payloads(FakeClient const& client) {
    std::vector<std::string> texts;
    for (auto const& frame : client.delivered) texts.emplace_back(frame.payload());
    return texts;
  }

  asio::io_context caller_;
  HeldClaims cluster_;
  Hub hub_{cluster_};
};

TEST_F(HubClientRoutesTest, ASendToClientsHereIsDeliveredAtOnceAndAnsweredAfterTheCall) {
  auto const a = joined(1);
  auto const b = joined(2);
  auto const result = send({2, 1}, "hi");
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->sent, 2U);
  EXPECT_TRUE(result->missing.empty());
  EXPECT_EQ(payloads(*a), std::vector<std::string>{"hi"});
  EXPECT_EQ(payloads(*b), std::vector<std::string>{"hi"});
  EXPECT_TRUE(cluster_.held_sends.empty()) << "asked the cluster about clients it holds";
}

TEST_F(HubClientRoutesTest, AnIdListedTwiceGetsTheTextOnce) {
  auto const a = joined(1);
  auto const result = send({1, 1, 1}, "once");
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->sent, 1U);
  EXPECT_EQ(payloads(*a), std::vector<std::string>{"once"});
}

TEST_F(HubClientRoutesTest, IdsNotHereGoToTheClusterOnceEachInTheOrderListed) {
  auto const a = joined(1);
  auto const result = send({9, 1, 7, 9, 1, 8}, "far");
  EXPECT_FALSE(result.has_value()) << "answered before the cluster did";
  EXPECT_EQ(payloads(*a), std::vector<std::string>{"far"});
  ASSERT_EQ(cluster_.held_sends.size(), 1U);
  EXPECT_EQ(cluster_.held_sends.front().first, (Ids{9, 7, 8}));
  EXPECT_EQ(cluster_.sent_texts, std::vector<std::string>{"far"});
}

TEST_F(HubClientRoutesTest, TheClustersCountIsAddedToTheClientsHereOnTheCallersExecutor) {
  joined(1);
  joined(2);
  std::optional<SendResult> result;
  hub_.send_to({1, 5, 2, 6}, "x",
               asio::bind_executor(caller_, [&result](SendResult answer) { result = std::move(answer); }));
  ASSERT_EQ(cluster_.held_sends.size(), 1U);
  complete_later(backplane_thread.get_executor(), std::move(cluster_.held_sends.front().second),
                 SendResult{.sent = 1, .missing = {6}});
  EXPECT_FALSE(result.has_value()) << "ran on the backplane's thread, not the caller's";
  run_caller();
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->sent, 3U);
  EXPECT_EQ(result->missing, Ids{6});
}

TEST_F(HubClientRoutesTest, ASendReachesEachClientInOrderWithBroadcasts) {
  auto const a = joined(1);
  hub_.broadcast("first", asio::bind_executor(caller_, [](std::size_t) {}));
  send({1}, "second");
  hub_.broadcast("third", asio::bind_executor(caller_, [](std::size_t) {}));
  EXPECT_EQ(payloads(*a), (std::vector<std::string>{"first", "second", "third"}));
}

TEST_F(HubClientRoutesTest, OnASingleNodeAnIdNotHereIsMissing) {
  LocalBackplane local(backplane_thread.get_executor());
  Hub hub(local);
  auto const a = std::make_shared<FakeClient>();
  ASSERT_EQ(hub.join(3, a, [](JoinOutcome) {}), JoinOutcome::joined);
  std::optional<SendResult> result;
  hub.send_to({4, 3, 5, 4}, "x", asio::bind_executor(caller_, [&result](SendResult answer) { result = answer; }));
  run_caller();
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->sent, 1U);
  EXPECT_EQ(result->missing, (Ids{4, 5}));
}

TEST_F(HubClientRoutesTest, ADisconnectHereClosesTheClientWithTheCodeAndReasonAfterTheCall) {
  auto const a = joined(1);
  std::optional<std::size_t> closed;
  hub_.disconnect(1, static_cast<CloseCode>(4001), "bye",
                  asio::bind_executor(caller_, [&closed](std::size_t count) { closed = count; }));
  EXPECT_FALSE(closed.has_value()) << "answered inside disconnect()";
  ASSERT_EQ(a->closes.size(), 1U);
  EXPECT_EQ(a->closes.front(), std::make_pair(static_cast<CloseCode>(4001), std::string("bye")));
  run_caller();
  EXPECT_EQ(closed, 1U);
  EXPECT_TRUE(cluster_.held_disconnects.empty());
}

TEST_F(HubClientRoutesTest, ADisconnectOfAClientNotHereGoesToTheCluster) {
  auto const a = joined(1);
  std::optional<std::size_t> closed;
  hub_.disconnect(2, CloseCode::normal, "elsewhere",
                  asio::bind_executor(caller_, [&closed](std::size_t count) { closed = count; }));
  EXPECT_TRUE(a->closes.empty());
  ASSERT_EQ(cluster_.held_disconnects.size(), 1U);
  EXPECT_EQ(cluster_.held_disconnects.front().first, 2);
  EXPECT_EQ(cluster_.disconnect_closes.front(), std::make_pair(CloseCode::normal, std::string("elsewhere")));
  complete_later(backplane_thread.get_executor(), std::move(cluster_.held_disconnects.front().second), std::size_t{0});
  run_caller();
  EXPECT_EQ(closed, 0U);
}

TEST_F(HubClientRoutesTest, LocatesAClientHereWithItsJoinTimeAndTheBackplanesNodeId) {
  auto const before = std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
  joined(5);
  auto const after = std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
  std::optional<std::optional<ClientLocation>> located;
  hub_.locate(5, asio::bind_executor(caller_, [&located](std::optional<ClientLocation> where) { located = where; }));
  EXPECT_FALSE(located.has_value()) << "answered inside locate()";
  run_caller();
  ASSERT_TRUE(located.has_value() && located->has_value());
  auto const& location = **located;
  EXPECT_EQ(location.id, 5);
  EXPECT_EQ(location.node, "held");
  EXPECT_GE(location.joined_at, before);
  EXPECT_LE(location.joined_at, after);
  EXPECT_TRUE(cluster_.held_locates.empty());
}

TEST_F(HubClientRoutesTest, LocatingAClientNotHereAsksTheCluster) {
  std::optional<std::optional<ClientLocation>> located;
  hub_.locate(6, asio::bind_executor(caller_, [&located](std::optional<ClientLocation> where) { located = where; }));
  ASSERT_EQ(cluster_.held_locates.size(), 1U);
  EXPECT_EQ(cluster_.held_locates.front().first, 6);
  ClientLocation const elsewhere{.id = 6, .joined_at = JoinTime(std::chrono::microseconds(17)), .node = "node-b"};
  complete_later(backplane_thread.get_executor(), std::move(cluster_.held_locates.front().second),
                 std::optional(elsewhere));
  run_caller();
  ASSERT_TRUE(located.has_value() && located->has_value());
  EXPECT_EQ((*located)->node, "node-b");
  EXPECT_EQ((*located)->joined_at, elsewhere.joined_at);
}

TEST_F(HubClientRoutesTest, TheClustersSendReachesTheClientsHereOnceAndNamesTheOthers) {
  auto const a = joined(1);
  auto const b = joined(2);
  auto const result = hub_.send_local({2, 3, 2, 1, 4}, "from afar");
  EXPECT_EQ(result.sent, 2U);
  EXPECT_EQ(result.missing, (Ids{3, 4}));
  EXPECT_EQ(payloads(*a), std::vector<std::string>{"from afar"});
  EXPECT_EQ(payloads(*b), std::vector<std::string>{"from afar"});
  EXPECT_TRUE(cluster_.held_sends.empty()) << "a send for this node went back to the cluster";
}

TEST_F(HubClientRoutesTest, TheClustersDisconnectClosesOnlyAClientHere) {
  auto const a = joined(1);
  EXPECT_TRUE(hub_.disconnect_local(1, static_cast<CloseCode>(3000), "asked"));
  ASSERT_EQ(a->closes.size(), 1U);
  EXPECT_EQ(a->closes.front(), std::make_pair(static_cast<CloseCode>(3000), std::string("asked")));
  EXPECT_FALSE(hub_.disconnect_local(2, CloseCode::normal, "nobody"));
  EXPECT_TRUE(cluster_.held_disconnects.empty());
}

}  // namespace
}  // namespace wshub
