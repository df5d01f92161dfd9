// This node's heartbeat: its liveness key refreshed every third of NODE_TIMEOUT, and the news that it had lapsed.
#pragma once

#include <functional>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "async/ticked_timer.hpp"
#include "cluster/cluster_keys.hpp"
#include "cluster/cluster_options.hpp"
#include "cluster/redis_link.hpp"
#include "hub/backplane.hpp"

namespace wshub {

// Runs on the backplane's executor, in a later turn than the Backplane call: leave's answer goes out with
// complete_later.
class Liveness {
 public:
  // Called again at every change: notifications, not completions.
  struct Events {
    std::function<void()> on_first_beat;  // the node counts as live for the first time
    std::function<void()> on_lapsed;      // the others took this node for dead: its ids must be registered again
  };

  Liveness(asio::any_io_executor executor, RedisLink& commands, ClusterKeys const& keys, ClusterOptions const& options,
           Events events);

  // The node sees every broadcast from now on, so the others may wait for its counts: heartbeats begin.
  void begin();
  // The command connection is (back) up: a missing key right after it means nothing new, and a heartbeat is due.
  void on_link_up();
  // No more heartbeats, and the liveness key goes at once; done() once Redis has answered, or at once if it is down.
  void leave(Backplane::LeaveDone done);

 private:
  void beat();
  void on_beat_answered(RedisReply const& reply);

  asio::any_io_executor executor_;
  RedisLink& commands_;
  ClusterKeys const& keys_;
  ClusterOptions const& options_;
  Events events_;
  TickedTimer<asio::steady_timer> timer_;
  bool begun_ = false;
  bool live_ = false;  // a heartbeat on this connection set the key: from now on it must find it
  bool announced_ = false;
  bool left_ = false;
};

}  // namespace wshub
