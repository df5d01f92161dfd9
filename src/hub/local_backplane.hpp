// The backplane of a node that is the whole hub: every claim succeeds, nobody else hears a broadcast.
#pragma once

#include "hub/backplane.hpp"

namespace wshub {

// Stateless, and answers every call inline: a single node behaves exactly as if there were no seam.
class LocalBackplane final : public Backplane {
 public:
  void attach(LocalClients&) override {}
  void claim(LocalClient const&, ClaimDone done) override { done(true); }
  void release(ClientId) override {}
  void publish(std::string const&, CountDone done) override { done(0); }
  void list_clients(std::vector<ClientId> local, ListDone done) override { done(std::move(local)); }
  void leave_cluster(std::function<void()> done) override { done(); }
  BackplaneState state() const override { return {}; }
};

}  // namespace wshub
