// The hub: the registry of connected clients by id, and broadcast to all of them, through the cluster's backplane.
#pragma once

#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "hub/backplane.hpp"
#include "hub/client_id.hpp"
#include "hub/drainable_clients.hpp"
#include "protocol/close_code.hpp"
#include "protocol/outgoing_frame.hpp"

namespace wshub {

// What the hub needs from a connected client (implemented by WebSocketSession). Both calls are thread-safe
// and return at once; the client sends in the order the calls were made.
class HubClient {
 public:
  virtual ~HubClient() = default;
  virtual void deliver(SharedFrame frame) = 0;
  virtual void close(CloseCode code, std::string reason) = 0;
};

// replaced: a newer connection took the id while this one was being admitted (DuplicatePolicy::replace).
enum class JoinOutcome { joined, duplicate_id, shutting_down, over_limit, replaced };

struct HubOptions {
  std::size_t max_clients = 0;  // 0: no limit
  DuplicatePolicy duplicate_policy = DuplicatePolicy::refuse;
};

class Hub final : public DrainableClients, public LocalClients {
 public:
  using JoinDone = Completion<void(JoinOutcome)>;
  using CountDone = Backplane::CountDone;
  using ListDone = Backplane::ListDone;
  using SendDone = Backplane::SendDone;
  using LocateDone = Backplane::LocateDone;

  explicit Hub(Backplane& backplane, HubOptions const& options = {});

  // The outcome, when it is known at once: refused here, or admitted by a backplane that asks nobody (a single
  // node); done is then dropped uncalled. Otherwise nullopt, and done gets the outcome once the cluster has
  // answered (as Backplane says: never inside this call); until then the id counts as taken here.
  std::optional<JoinOutcome> join(ClientId id, std::shared_ptr<HubClient> client, JoinDone done);
  // With DuplicatePolicy::replace, a client joining with an id connected here takes it once the cluster has
  // agreed, and the older connection is closed with 4000.
  // Removes the id only if this client holds it, so a refused duplicate can never remove the original.
  void leave(ClientId id, HubClient const* client);

  // Queues the text to every client here at once and sends it to the other nodes; done(how many clients in the
  // cluster queued it).
  void broadcast(std::string text, CountDone done);
  // Queues the text to each listed client, wherever in the cluster it is connected, once per id, in order with
  // broadcasts; done(how many queued it, and the ids that are not connected).
  void send_to(std::vector<ClientId> ids, std::string text, SendDone done);
  // Closes the client after what is queued for it, wherever it is connected; done(1), or done(0) if it is not.
  void disconnect(ClientId id, CloseCode code, std::string reason, CountDone done);
  // Where the client is connected, if it is.
  void locate(ClientId id, LocateDone done) const;
  // Every id in the cluster, in connection order.
  void list_clients(ListDone done) const;
  BackplaneState backplane_state() const { return backplane_.state(); }

  // False from the first shutdown signal on.
  bool admitting() const;
  void stop_admitting() override;
  std::size_t client_count() const override;
  void close_all(CloseCode code, std::string_view reason) override;
  void when_empty(Completion<void()> on_empty) override;
  void leave_cluster(Completion<void()> done) override { backplane_.leave_cluster(std::move(done)); }

  // This node's ids in connection order.
  std::vector<ClientId> local_client_ids() const;

  std::size_t deliver_local(std::string text) override;
  std::vector<LocalClient> local_clients() const override;
  void close_local(LocalClient const& client, CloseCode code, std::string reason) override;
  SendResult send_local(std::vector<ClientId> const& ids, std::string const& text) override;
  bool disconnect_local(ClientId id, CloseCode code, std::string reason) override;

 private:
  struct Member {
    LocalClient registration;
    std::shared_ptr<HubClient> client;
  };

  // A claim the cluster has not answered yet; superseded once a newer connection elsewhere took the id meanwhile.
  struct Claim {
    JoinTime joined_at;
    bool superseded = false;
  };

  std::optional<JoinOutcome> refusal(LocalClient const& registration);
  JoinOutcome on_claimed(LocalClient const& registration, std::shared_ptr<HubClient> client, bool claimed);
  // Admits the client under the lock; returns the older connection it replaced here, if any.
  std::shared_ptr<HubClient> admit(LocalClient const& registration, std::shared_ptr<HubClient> client);
  std::size_t deliver_to_all(SharedFrame const& frame);
  // The clients here among the ids, and the ids (distinct, in the order first listed) of those that are not.
  std::pair<std::vector<std::shared_ptr<HubClient>>, std::vector<ClientId>> find_here(std::vector<ClientId> ids) const;
  std::optional<Member> member(ClientId id) const;
  std::vector<std::shared_ptr<HubClient>> snapshot() const;

  Backplane& backplane_;
  HubOptions const options_;
  mutable std::mutex mutex_;
  std::list<Member> members_;  // connection order; list iterators stay valid while others come and go
  std::unordered_map<ClientId, std::list<Member>::iterator> by_id_;
  std::unordered_map<ClientId, Claim> claiming_;  // ids waiting for the cluster's answer
  bool admitting_ = true;
  std::optional<Completion<void()>> on_empty_;  // when_empty's handler, until the last client leaves

  std::mutex broadcast_order_;
};

}  // namespace wshub
