// Drives a WebSocketSession over a loopback connection, one turn of its event loop at a time, through orders of
// events that the end-to-end tests reach only by luck.
#include "server/websocket_session.hpp"

#include <array>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address_v4.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include "hub/local_backplane.hpp"
#include "server/connection_types.hpp"

namespace wshub {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view switching_protocols = "HTTP/1.1 101 Switching Protocols\r\n\r\n";

// A frame from the client (masked, as RFC 6455 requires) with an empty payload.
std::string client_frame(std::uint8_t opcode) {
  return {static_cast<char>(0x80 | opcode), static_cast<char>(0x80), 0, 0, 0, 0};
}

// A cluster that answers claims only when the test says so.
class HeldClaims final : public Backplane {
 public:
  void attach(LocalClients&, DuplicatePolicy) override {}
  void claim(LocalClient const&, ClaimDone done) override { held.push_back(std::move(done)); }
  void release(ClientId id) override { released.push_back(id); }
  void publish(std::string const&, CountDone) override {}
  void send_to(std::vector<ClientId> ids, std::string const&, SendDone done) override {
    held_sends.emplace_back(std::move(ids), std::move(done));
  }
  void disconnect(ClientId id, CloseCode, std::string, CountDone done) override {
    held_disconnects.emplace_back(id, std::move(done));
  }
  void locate(ClientId id, LocateDone done) override { held_locates.emplace_back(id, std::move(done)); }
  void list_clients(std::vector<ClientId>, ListDone) override {}
  void leave_cluster(LeaveDone) override {}
  BackplaneState state() const override { return {.clustered = true, .connected = true, .node_id = "held"}; }

  std::vector<ClaimDone> held;
  std::vector<std::pair<std::vector<ClientId>, SendDone>> held_sends;
  std::vector<std::pair<ClientId, CountDone>> held_disconnects;
  std::vector<std::pair<ClientId, LocateDone>> held_locates;
  std::vector<ClientId> released;
};

class WebSocketSessionTest : public ::testing::Test {
 protected:
  WebSocketSessionTest() {
    tcp::acceptor acceptor(context_, {asio::ip::address_v4::loopback(), 0});
    client_.connect(acceptor.local_endpoint());
    acceptor.accept(server_);
    server_.non_blocking(true);  // as the listener hands it over
    client_.non_blocking(true);
  }

  std::shared_ptr<WebSocketSession> start_session(Hub& hub) {
    auto session = std::make_shared<WebSocketSession>(ConnectionTransport(std::move(server_)), "", std::nullopt, hub,
                                                      options_, context_deflaters_, metrics_);
    session->start("/ws/1", std::string(switching_protocols));
    return session;
  }

  // What the server has sent the client so far.
  std::string received() {
    std::string bytes;
    std::array<char, 4096> chunk{};
    error_code error;
    while (auto const read = client_.read_some(asio::buffer(chunk), error)) bytes.append(chunk.data(), read);
    return bytes;
  }

  asio::io_context context_;  // first: the handlers it still holds when a test ends reach what is below
  asio::io_context client_context_;
  tcp::socket client_{client_context_};
  ConnectionSocket server_{context_.get_executor()};
  WebSocketOptions options_{.ping_interval = 1h, .idle_timeout = 2h, .deflate = {}};
  DeflaterBudget context_deflaters_{0};
  Metrics metrics_;
  LocalBackplane local_{context_.get_executor()};
  Hub hub_{local_};
};

TEST_F(WebSocketSessionTest, AKeepaliveExpiryQueuedAsTheCloseHandshakeBeginsDoesNotEndIt) {
  options_ = {.close_timeout = 1h, .ping_interval = 200ms, .idle_timeout = 1h, .deflate = {}};
  auto const started = std::chrono::steady_clock::now();
  auto const session = start_session(hub_);
  context_.poll();
  ASSERT_EQ(hub_.client_count(), 1U);
  // A binary message breaks the protocol: reading it starts the close handshake, which re-arms the timer.
  asio::write(client_, asio::buffer(client_frame(0x2)));
  // Both due when the event loop next looks: the read is handled first, and the keepalive's completion, queued in
  // the same turn, runs after the re-arm. A sleep, since the event here is time passing.
  std::this_thread::sleep_until(started + options_.ping_interval + 20ms);
  context_.poll();
  auto const bytes = received();
  ASSERT_GT(bytes.size(), switching_protocols.size());
  // The close frame came first, no ping before it: the keepalive's expiry was indeed still queued then.
  EXPECT_EQ(static_cast<std::uint8_t>(bytes[switching_protocols.size()]), 0x88);
  EXPECT_EQ(hub_.client_count(), 1U) << "the stale keepalive expiry ended the close handshake as \"timed out\"";
}

TEST_F(WebSocketSessionTest, AnAdmissionAnsweredAfterTheClientLeftLeavesTheHubAgain) {
  HeldClaims cluster;
  Hub hub(cluster);
  auto const session = start_session(hub);
  context_.poll();
  EXPECT_EQ(received(), "") << "the 101 waits for the cluster's answer";
  client_.close();
  ASSERT_EQ(cluster.held.size(), 1U);
  complete_later(context_.get_executor(), std::move(cluster.held.front()), true);
  context_.poll();
  EXPECT_EQ(metrics_.total(Counter::connections_accepted), 1U);
  EXPECT_EQ(hub.client_count(), 0U);
  EXPECT_EQ(cluster.released, std::vector<ClientId>{1});
}

TEST_F(WebSocketSessionTest, ARefusalAnsweredLaterStillSendsTheCloseFrameAfterThe101) {
  HeldClaims cluster;
  Hub hub(cluster);
  auto const session = start_session(hub);
  context_.poll();
  ASSERT_EQ(cluster.held.size(), 1U);
  complete_later(context_.get_executor(), std::move(cluster.held.front()), false);
  context_.poll();
  auto const bytes = received();
  ASSERT_GT(bytes.size(), switching_protocols.size());
  EXPECT_EQ(bytes.substr(0, switching_protocols.size()), switching_protocols);
  EXPECT_EQ(static_cast<std::uint8_t>(bytes[switching_protocols.size()]), 0x88);
  EXPECT_EQ(metrics_.total(Counter::connections_duplicate_id), 1U);
  EXPECT_EQ(hub.client_count(), 0U);
}

}  // namespace
}  // namespace wshub
