// Reads the cluster's broadcast stream and this node's count stream with one blocking XREAD, resuming from the
// last ids read after every reconnection.
#pragma once

#include <functional>
#include <map>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "async/ticked_timer.hpp"
#include "cluster/cluster_keys.hpp"
#include "cluster/cluster_options.hpp"
#include "cluster/redis_link.hpp"
#include "ops/metrics.hpp"

namespace wshub {

struct StreamEntry {
  std::string id;
  std::map<std::string, std::string, std::less<>> fields;
};

// Runs on the backplane's executor, on a connection of its own: the blocking XREAD would hold up every command
// queued behind it.
class StreamReader {
 public:
  // Called again for every entry: notifications, not completions.
  struct Events {
    std::function<void()> on_ready;  // the reader knows where both streams end: it sees everything from here on
    std::function<void(StreamEntry const&)> on_broadcast;
    std::function<void(StreamEntry const&)> on_count;
  };

  StreamReader(asio::any_io_executor executor, RedisLink& reader, ClusterKeys const& keys,
               ClusterOptions const& options, Metrics& metrics, Events events);

  void on_link_up();
  std::string const& last_broadcast_id() const { return last_broadcast_id_; }

 private:
  void find_starts();
  void find_start(std::string key, std::string& last_id);
  void check_replay_gap();
  void read_next();
  void on_read(RedisReply const& reply);

  RedisLink& reader_;
  ClusterKeys const& keys_;
  ClusterOptions const& options_;
  Metrics& metrics_;
  Events events_;
  TickedTimer<asio::steady_timer> reread_timer_;
  std::string last_broadcast_id_;  // empty until the reader first finds where the stream ends
  std::string last_count_id_;      // found second: once set, the reader only ever resumes
};

}  // namespace wshub
