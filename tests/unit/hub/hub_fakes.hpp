// Fakes for the hub's tests: a backplane that holds every answer until the test gives it, and a client that records.
#pragma once

#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "hub/backplane.hpp"
#include "hub/hub.hpp"

namespace wshub::testing {

// Where held answers are given from: every handler in the hub's tests names its own executor, so this stays idle.
inline asio::io_context backplane_thread;

// A cluster that answers claims only when the test says so.
class HeldClaims final : public Backplane {
 public:
  void attach(LocalClients&, DuplicatePolicy) override {}
  void claim(LocalClient const& client, ClaimDone done) override {
    claimed.push_back(client);
    held.push_back(std::move(done));
  }
  void release(ClientId id) override { released.push_back(id); }
  void publish(std::string const&, CountDone done) override { held_counts.push_back(std::move(done)); }
  void send_to(std::vector<ClientId> ids, std::string const& text, SendDone done) override {
    held_sends.emplace_back(std::move(ids), std::move(done));
    sent_texts.push_back(text);
  }
  void disconnect(ClientId id, CloseCode code, std::string reason, CountDone done) override {
    held_disconnects.emplace_back(id, std::move(done));
    disconnect_closes.emplace_back(code, std::move(reason));
  }
  void locate(ClientId id, LocateDone done) override { held_locates.emplace_back(id, std::move(done)); }
  void list_clients(std::vector<ClientId>, ListDone) override {}
  void leave_cluster(LeaveDone) override {}
  BackplaneState state() const override { return {.clustered = true, .connected = true, .node_id = "held"}; }

  std::vector<ClientId> released;
  std::vector<LocalClient> claimed;
  std::vector<ClaimDone> held;
  std::vector<std::pair<std::vector<ClientId>, SendDone>> held_sends;
  std::vector<std::pair<ClientId, CountDone>> held_disconnects;
  std::vector<std::pair<ClientId, LocateDone>> held_locates;
  std::vector<CountDone> held_counts;
  std::vector<std::string> sent_texts;                               // each held send's text
  std::vector<std::pair<CloseCode, std::string>> disconnect_closes;  // each held disconnect's code and reason
};

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

}  // namespace wshub::testing
