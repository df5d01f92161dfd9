// This node's broadcasts on their way to the other nodes, each waiting for their counts until CLUSTER_TIMEOUT_MS,
// and this node's own counts of the others' broadcasts, sent back to their origins.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "async/ticked_timer.hpp"
#include "cluster/broadcast_outbox.hpp"
#include "cluster/cluster_keys.hpp"
#include "cluster/cluster_options.hpp"
#include "cluster/redis_link.hpp"
#include "cluster/redis_script.hpp"
#include "cluster/stream_reader.hpp"
#include "hub/backplane.hpp"
#include "ops/metrics.hpp"

namespace wshub {

// Runs on the backplane's executor, in a later turn than the Backplane call: answers go out with complete_later.
//
// Each broadcast also goes into the outbox until it is safe in Redis: stored in the stream, and with Sentinel,
// acknowledged by a replica (WAIT), for the primary may die before it replicates what it answered. A broadcast made
// while cut off is answered at once with this node's count and published when Redis is back. After every
// reconnection the outbox is published again, first, in order: the readers drop what they delivered already.
class BroadcastCounts {
 public:
  BroadcastCounts(asio::any_io_executor executor, ScriptingLink& commands, ClusterKeys const& keys,
                  ClusterOptions const& options, Metrics& metrics);

  // done(how many clients of the nodes live at publish time queued it) once all of them have counted, or at the
  // count timeout with the counts that came. Cut off from Redis, nobody else has it: done(0).
  void publish(std::string text, Backplane::CountDone done);
  // The command connection is up again (perhaps to a new primary): publishes the outbox again.
  void on_link_up();
  // A count of one of this node's broadcasts, from this node's count stream.
  void on_count(StreamEntry const& entry);
  // This node delivered another node's broadcast (its sequence number as the origin wrote it) to count clients.
  void count_back(std::string const& origin, std::string const& sequence, std::size_t count);

 private:
  using Clock = std::chrono::steady_clock;
  struct Pending {
    Backplane::CountDone done;
    Clock::time_point deadline;
    std::size_t others = 0;
    std::set<std::string> reported;  // counts may arrive before the publish's own reply names the live nodes
    std::optional<std::set<std::string>> waiting_for;
  };
  using PendingMap = std::map<std::uint64_t, Pending>;

  void send(std::uint64_t sequence, std::string text, RedisLink::ReplyHandler on_reply);
  void on_published(std::uint64_t sequence, RedisReply const& reply);
  void on_sent(std::uint64_t sequence, RedisReply const& reply);
  void on_stored(std::uint64_t sequence);
  void wait_for_replica();
  void arm_deadline();
  void on_deadline();
  void time_out(PendingMap::iterator pending);
  void finish(PendingMap::iterator pending);

  asio::any_io_executor executor_;
  ScriptingLink& commands_;
  ClusterKeys const& keys_;
  ClusterOptions const& options_;
  Metrics& metrics_;
  RedisScript const publish_script_;
  TickedTimer<asio::steady_timer> deadline_timer_;  // the oldest pending broadcast's deadline
  bool deadline_armed_ = false;
  std::uint64_t next_sequence_ = 0;
  // With each broadcast, so that readers tell this process's numbering from that of a restart under the same node id.
  std::string const run_id_;
  BroadcastOutbox outbox_;
  bool waiting_for_replica_ = false;                    // a WAIT is in flight
  TickedTimer<asio::steady_timer> replica_wait_timer_;  // no replica answered the last WAIT: the next, later
  PendingMap pending_;                                  // by sequence, which is also the order of their deadlines
  Clock::time_point last_late_log_;
};

}  // namespace wshub
