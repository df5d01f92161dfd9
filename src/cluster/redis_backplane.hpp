// The cluster on Redis: the Backplane the hub calls, wiring the pieces that claim ids, carry broadcasts and
// requests to clients and count them, keep this node live, and track the outage state.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "cluster/broadcast_counts.hpp"
#include "cluster/client_claims.hpp"
#include "cluster/client_requests.hpp"
#include "cluster/cluster_keys.hpp"
#include "cluster/cluster_options.hpp"
#include "cluster/delivered_broadcasts.hpp"
#include "cluster/liveness.hpp"
#include "cluster/redis_link.hpp"
#include "cluster/redis_script.hpp"
#include "cluster/redis_status.hpp"
#include "cluster/sentinel_watch.hpp"
#include "cluster/stream_reader.hpp"
#include "hub/backplane.hpp"
#include "ops/metrics.hpp"
#include "protocol/net.hpp"

namespace wshub {

// All of its work runs on one executor; the Backplane calls post to it, so they are thread-safe.
//
// Lifetimes: every handler in cluster/ captures `this` of its piece (no shared_from_this, no "alive" flag). That
// is safe because the backplane outlives every handler that can run: main owns it for the process's life and
// destroys it only after threads.run() has returned, that is after every I/O thread has stopped and joined, and a
// test destroys it before its io_context and does not run the context in between. A handler still queued then is
// destroyed without running. Timers are guarded by a tick against a completion queued before a re-arm.
class RedisBackplane final : public Backplane {
 public:
  // Makes one connection to Redis, with the events it reports (a factory, called twice, not a completion).
  using LinkFactory = std::function<std::unique_ptr<RedisLink>(RedisLink::Events)>;

  RedisBackplane(asio::any_io_executor executor, ClusterOptions options, Metrics& metrics);
  // With connections of the caller's making: the unit tests drive the backplane through fakes. sentinels: where
  // the connections ask for the primary (null without Sentinel).
  RedisBackplane(asio::any_io_executor executor, ClusterOptions options, Metrics& metrics, LinkFactory make_link,
                 std::shared_ptr<SentinelWatch> sentinels = nullptr);

  // Redis refused REDIS_URL's credentials, or TLS to it failed, before this node was ever live.
  using RefusedHandler = std::function<void(RedisRefusal const& refusal)>;

  // Connects (and keeps reconnecting); call once the hub is attached. node_id replaces an empty one. A refusal of
  // the credentials or a failed TLS handshake before the node's first heartbeat goes to on_refused_at_start (the
  // settings are wrong: main exits), where it leaves none, and after it is an outage: logged, retried, /readyz says
  // Redis is down.
  void start(std::string const& node_id, RefusedHandler on_refused_at_start = {});

  void attach(LocalClients& clients, DuplicatePolicy policy) override {
    clients_ = &clients;
    claims_.attach(clients, policy);
    requests_.attach(clients);
  }
  void claim(LocalClient const& client, ClaimDone done) override;
  void release(ClientId id) override;
  void publish(std::string const& text, CountDone done) override;
  void send_to(std::vector<ClientId> ids, std::string const& text, SendDone done) override;
  void disconnect(ClientId id, CloseCode code, std::string reason, CountDone done) override;
  void locate(ClientId id, LocateDone done) override;
  void list_clients(std::vector<ClientId> local, ListDone done) override;
  void leave_cluster(LeaveDone done) override;
  BackplaneState state() const override;

 private:
  RedisBackplane(asio::any_io_executor executor, ClusterOptions options, Metrics& metrics,
                 std::shared_ptr<SentinelWatch> sentinels);

  void on_commands_up();
  void on_reader_up();
  void on_down();
  void on_refused(RedisRefusal const& refusal);
  bool connected() const { return commands_.up() && reader_->up(); }
  std::string connection_name(std::string_view role) const;
  void start_links();
  void on_sentinels_down();
  void on_first_beat();
  void on_primary_named(RedisAddress const& primary);
  void on_broadcast_entry(StreamEntry const& entry);
  void on_count_entry(StreamEntry const& entry);

  asio::any_io_executor executor_;
  ClusterOptions options_;  // the node id is settled by start()
  ClusterKeys const keys_;
  LocalClients* clients_ = nullptr;
  RedisStatus status_;
  RefusedHandler on_refused_at_start_;
  bool been_live_ = false;         // the first heartbeat went through once
  bool refused_at_start_ = false;  // on_refused_at_start_ was called: the process is on its way out
  bool links_started_ = false;     // the command and reader connections are started (behind Sentinel: once named)
  std::shared_ptr<SentinelWatch> sentinels_;  // shared with the connections, which ask it where the primary is
  ScriptingLink commands_;
  std::unique_ptr<RedisLink> reader_;  // only the blocking XREAD, which would hold up every command behind it
  ClientClaims claims_;
  BroadcastCounts counts_;
  ClientRequests requests_;
  Liveness liveness_;
  StreamReader stream_reader_;
  DeliveredBroadcasts delivered_;
};

}  // namespace wshub
