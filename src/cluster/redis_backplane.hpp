// The cluster on Redis: atomic claims of client ids, broadcasts through a stream, and the cluster's client list.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cluster/redis_connection.hpp"
#include "cluster/redis_endpoint.hpp"
#include "hub/backplane.hpp"
#include "ops/metrics.hpp"
#include "protocol/net.hpp"

namespace wshub {

struct ClusterOptions {
  RedisEndpoint redis;
  std::string cluster_name = "wshub";              // the prefix of every key: several clusters can share one Redis
  std::string node_id;                             // empty: given to start() once the port is known
  std::chrono::milliseconds count_timeout{1000};   // how long a broadcast waits for the other nodes' counts
  std::chrono::milliseconds redis_timeout{1000};   // how long a command waits for Redis's reply: later, Redis is down
  std::chrono::milliseconds node_timeout{10000};   // a node silent this long is dead: its ids are free
  std::chrono::milliseconds replay_window{30000};  // how far back a reconnected node can catch up
};

// All of its work runs on one executor; the Backplane calls post to it, so they are thread-safe.
class RedisBackplane final : public Backplane {
 public:
  RedisBackplane(asio::any_io_executor executor, ClusterOptions options, Metrics& metrics);

  // Connects (and keeps reconnecting); call once the hub is attached. node_id replaces an empty one.
  void start(std::string const& node_id);

  void attach(LocalClients& clients) override { clients_ = &clients; }
  void claim(LocalClient const& client, ClaimDone done) override;
  void release(ClientId id) override;
  void publish(std::string const& text, CountDone done) override;
  void list_clients(std::vector<ClientId> local, ListDone done) override;
  void leave_cluster(LeaveDone done) override;
  BackplaneState state() const override;

 private:
  struct PendingBroadcast {
    CountDone done;
    std::size_t others = 0;
    std::set<std::string> reported;  // counts may arrive before the XADD's own reply names the live nodes
    std::optional<std::set<std::string>> waiting_for;
    std::unique_ptr<asio::steady_timer> timer;
  };
  struct StreamEntry {
    std::string id;
    std::map<std::string, std::string, std::less<>> fields;
  };

  void eval(std::string const& script, std::vector<std::string> args, RedisConnection::ReplyHandler handler);
  void on_down();
  void on_connection_change();
  void note_outage(std::string_view what);
  void on_commands_up();
  void heartbeat();
  void on_liveness_lapsed();
  void reregister();
  void close_later_duplicate(LocalClient const& client, std::string_view where);
  std::string oldest_kept_stream_id() const;

  void on_reader_up();
  void find_start(std::string const& key, std::string& last_id, std::function<void()> then);
  void check_replay_gap();
  void read_next();
  void on_read(RedisReply const& reply);
  void on_broadcast_entry(StreamEntry const& entry);
  void on_close_entry(StreamEntry const& entry);
  void on_count_entry(StreamEntry const& entry);
  void on_published(std::uint64_t sequence, RedisReply const& reply);
  void finish_broadcast(std::uint64_t sequence);
  void on_count_timeout(std::uint64_t sequence);

  std::string key(std::string_view name) const { return options_.cluster_name + ":" + std::string(name); }

  asio::any_io_executor executor_;
  ClusterOptions options_;  // the node id is settled by start()
  Metrics& metrics_;
  LocalClients* clients_ = nullptr;
  std::string const owners_key_, order_key_, joined_key_, nodes_key_, node_prefix_, broadcasts_key_;
  std::string counts_key_;  // this node's: where the others' counts of its broadcasts arrive
  std::string const claim_script_, release_script_, reregister_script_, list_script_, publish_script_;
  RedisConnection commands_;
  RedisConnection reader_;  // only the blocking XREAD, which would hold up every command behind it
  asio::steady_timer heartbeat_timer_;
  asio::steady_timer reread_timer_;
  std::atomic<bool> connected_{false};
  std::atomic<bool> joining_{true};
  bool outage_logged_ = false;
  std::chrono::steady_clock::time_point outage_started_;
  bool announced_ = false;     // the log has said that this node is live
  bool left_ = false;          // shut down: no more heartbeats
  bool live_ = false;          // a heartbeat on this connection set the liveness key: from now on it must find it
  bool reader_ready_ = false;  // the reader knows where to start: the node may count as live
  std::uint64_t next_sequence_ = 0;
  std::map<std::uint64_t, PendingBroadcast> pending_;
  std::string last_broadcast_id_;  // empty until the reader first finds where the stream ends
  std::string last_count_id_;
  std::chrono::steady_clock::time_point last_late_log_;
};

}  // namespace wshub
