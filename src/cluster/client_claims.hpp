// Client ids held cluster-wide: claims, releases, the cluster's list, where one is held, this node's ids registered
// again after an outage, and the later of two connections with one id closed.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "cluster/cluster_keys.hpp"
#include "cluster/cluster_options.hpp"
#include "cluster/redis_link.hpp"
#include "cluster/redis_script.hpp"
#include "cluster/stream_reader.hpp"
#include "hub/backplane.hpp"
#include "ops/metrics.hpp"

namespace wshub {

// Runs on the backplane's executor, in a later turn than the Backplane call (which posts to it): its answers are
// handed over with complete_later. Cut off from Redis, it answers as a single node would.
class ClientClaims {
 public:
  ClientClaims(asio::any_io_executor executor, ScriptingLink& commands, ClusterKeys const& keys,
               ClusterOptions const& options, Metrics& metrics);

  void attach(LocalClients& clients, DuplicatePolicy policy) {
    clients_ = &clients;
    policy_ = policy;
  }
  void claim(LocalClient const& client, Backplane::ClaimDone done);
  void release(ClientId id);
  void list(std::vector<ClientId> local, Backplane::ListDone done);
  // Where another live node holds the id; cut off from Redis, nowhere.
  void locate(ClientId id, Backplane::LocateDone done);
  // Registers every client of this node again, in connection order: after an outage, or once taken for dead.
  void reregister();
  // A `close` entry of the broadcast stream: another node took an id for an earlier connection, or for a newer one
  // that replaces this node's (its `why` says which).
  void on_close_entry(StreamEntry const& entry);

 private:
  void eval(RedisScript const& script, std::vector<std::string> args, RedisLink::ReplyHandler handler);
  void close_later_duplicate(LocalClient const& client, std::string_view where);
  // DuplicatePolicy::replace: a newer connection elsewhere took the id.
  void close_replaced(LocalClient const& client);

  asio::any_io_executor executor_;
  ScriptingLink& commands_;
  ClusterKeys const& keys_;
  ClusterOptions const& options_;
  Metrics& metrics_;
  LocalClients* clients_ = nullptr;
  DuplicatePolicy policy_ = DuplicatePolicy::refuse;
  RedisScript const claim_script_, claim_replacing_script_, release_script_, reregister_script_, list_script_,
      locate_script_;
};

}  // namespace wshub
