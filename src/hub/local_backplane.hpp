// The backplane of a node that is the whole hub: every claim succeeds, nobody else hears a broadcast.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "hub/backplane.hpp"

namespace wshub {

// Stateless but for its name: a claim is answered at once, and the other answers, known at once too, are posted to
// their handlers.
class LocalBackplane final : public Backplane {
 public:
  // executor: where an answer goes whose handler names no executor of its own.
  explicit LocalBackplane(asio::any_io_executor executor) : executor_(std::move(executor)) {}

  // Names the node (what GET /clients/{clientId} reports); call before the I/O threads run.
  void start(std::string node_id) { node_id_ = std::move(node_id); }

  void attach(LocalClients&, DuplicatePolicy) override {}
  std::optional<bool> claim_at_once(LocalClient const&) override { return true; }
  void claim(LocalClient const&, ClaimDone done) override { complete_posted(executor_, std::move(done), true); }
  void release(ClientId) override {}
  void publish(std::string const&, CountDone done) override {
    complete_posted(executor_, std::move(done), std::size_t{0});
  }
  // Every client of a single node is here: the ids the hub could not find are not connected.
  void send_to(std::vector<ClientId> ids, std::string const&, SendDone done) override {
    complete_posted(executor_, std::move(done), SendResult{0, std::move(ids)});
  }
  void disconnect(ClientId, CloseCode, std::string, CountDone done) override {
    complete_posted(executor_, std::move(done), std::size_t{0});
  }
  void locate(ClientId, LocateDone done) override {
    complete_posted(executor_, std::move(done), std::optional<ClientLocation>());
  }
  void list_clients(std::vector<ClientId> local, ListDone done) override {
    complete_posted(executor_, std::move(done), std::move(local));
  }
  void leave_cluster(LeaveDone done) override { complete_posted(executor_, std::move(done)); }
  BackplaneState state() const override { return {.node_id = node_id_}; }

 private:
  asio::any_io_executor executor_;
  std::string node_id_;
};

}  // namespace wshub
