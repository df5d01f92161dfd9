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
#include "cluster/cluster_keys.hpp"
#include "cluster/cluster_options.hpp"
#include "cluster/redis_link.hpp"
#include "cluster/redis_script.hpp"
#include "cluster/stream_reader.hpp"
#include "hub/backplane.hpp"
#include "ops/metrics.hpp"

namespace wshub {

// Runs on the backplane's executor, in a later turn than the Backplane call: answers go out with complete_later.
class BroadcastCounts {
 public:
  BroadcastCounts(asio::any_io_executor executor, ScriptingLink& commands, ClusterKeys const& keys,
                  ClusterOptions const& options, Metrics& metrics);

  // done(how many clients of the nodes live at publish time queued it) once all of them have counted, or at the
  // count timeout with the counts that came. Cut off from Redis, nobody else has it: done(0).
  void publish(std::string text, Backplane::CountDone done);
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

  void on_published(std::uint64_t sequence, RedisReply const& reply);
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
  PendingMap pending_;  // by sequence, which is also the order of their deadlines
  Clock::time_point last_late_log_;
};

}  // namespace wshub
