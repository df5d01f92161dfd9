// The primary of a Redis that sentinels watch: asked of them, and followed when they move it (+switch-master).
#pragma once

#include <functional>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "async/ticked_timer.hpp"
#include "cluster/cluster_options.hpp"
#include "cluster/redis_connection.hpp"

namespace wshub {

// One connection to one sentinel at a time, the next of the list after every loss. On each connection it asks for
// the primary (SENTINEL get-master-addr-by-name), then subscribes to +switch-master: a failover that happened while
// it was reconnecting is seen by the question, one after it by the subscription. A PING every second holds the
// sentinel to the reply deadline, so one that vanishes without closing is left for the next. Runs on the
// backplane's executor.
class SentinelWatch {
 public:
  // Called again at every change: notifications, not completions.
  struct Events {
    std::function<void(RedisAddress const&)> on_switch;   // the sentinels name a different primary (the first too)
    std::function<void(RedisRefusal const&)> on_refused;  // a sentinel refused REDIS_SENTINEL_PASSWORD
    std::function<void(std::string const&)> on_down;      // the connection to a sentinel was lost, or never made
  };

  SentinelWatch(asio::any_io_executor executor, SentinelOptions options, std::chrono::milliseconds reply_timeout);

  void start(std::string name, Events events);
  // The primary as the sentinels last named it; nullopt until one has.
  std::optional<RedisAddress> const& primary() const { return primary_; }

 private:
  RedisAddress next_sentinel();
  void on_up();
  void on_named(RedisReply const& reply);
  void on_message(RedisReply const& reply);
  void switch_to(RedisAddress primary);
  void keep_alive();

  SentinelOptions const options_;
  Events events_;
  std::size_t next_ = 0;
  std::optional<RedisAddress> primary_;
  TickedTimer<asio::steady_timer> ping_timer_;
  RedisConnection connection_;  // last: destroyed first, with the handlers that name this
};

}  // namespace wshub
