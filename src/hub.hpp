// The hub: the registry of connected clients by id, and broadcast to all of them.
#pragma once

#include <cstddef>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "client_id.hpp"
#include "close_code.hpp"
#include "outgoing_frame.hpp"
#include "shutdown_interfaces.hpp"

namespace wshub {

// What the hub needs from a connected client (implemented by WebSocketSession). Both calls are thread-safe
// and return at once; the client sends in the order the calls were made.
class HubClient {
 public:
  virtual ~HubClient() = default;
  virtual void deliver(SharedFrame frame) = 0;
  virtual void close(CloseCode code, std::string reason) = 0;
};

enum class JoinOutcome { joined, duplicate_id, shutting_down, over_limit };

struct HubOptions {
  std::size_t max_clients = 0;  // 0: no limit
};

class Hub final : public DrainableClients {
 public:
  explicit Hub(HubOptions const& options = {}) : options_(options) {}

  JoinOutcome join(ClientId id, std::shared_ptr<HubClient> client);
  // Removes the id only if this client holds it, so a refused duplicate can never remove the original.
  void leave(ClientId id, HubClient const* client);

  // Queues the text to every connected client; returns how many it was queued to.
  std::size_t broadcast(std::string text);
  // Ids in the order their clients connected.
  std::vector<ClientId> client_ids() const;

  // False from the first shutdown signal on.
  bool admitting() const;
  void stop_admitting() override;
  std::size_t client_count() const override;
  void close_all(CloseCode code, std::string_view reason) override;
  void when_empty(std::function<void()> on_empty) override;

 private:
  struct Member {
    ClientId id;
    std::shared_ptr<HubClient> client;
  };

  std::vector<std::shared_ptr<HubClient>> snapshot() const;

  HubOptions const options_;
  mutable std::mutex mutex_;
  std::list<Member> members_;  // connection order; list iterators stay valid while others come and go
  std::unordered_map<ClientId, std::list<Member>::iterator> by_id_;
  bool admitting_ = true;
  std::function<void()> on_empty_;

  std::mutex broadcast_order_;
};

}  // namespace wshub
