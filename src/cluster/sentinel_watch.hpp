// The primary of a Redis that sentinels watch: asked of them, and followed when they move it (+switch-master).
#pragma once

#include <functional>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "cluster/cluster_options.hpp"
#include "cluster/redis_connection.hpp"

namespace wshub {

// One connection to one sentinel at a time, the next of the list after every loss. On each connection it asks for
// the primary (SENTINEL get-master-addr-by-name), then subscribes to +switch-master: a failover that happened while
// it was reconnecting is seen by the question, one after it by the subscription. Runs on the backplane's executor.
class SentinelWatch {
 public:
  // Called with the primary each time the sentinels name a different one (the first time too).
  using SwitchHandler = std::function<void(RedisAddress const&)>;

  SentinelWatch(asio::any_io_executor executor, SentinelOptions options, std::chrono::milliseconds reply_timeout);

  void start(std::string name, SwitchHandler on_switch);
  // The primary as the sentinels last named it; nullopt until one has.
  std::optional<RedisAddress> const& primary() const { return primary_; }

 private:
  RedisAddress next_sentinel();
  void on_up();
  void on_named(RedisReply const& reply);
  void on_refused(RedisRefusal const& refusal);
  void on_message(RedisReply const& reply);
  void switch_to(RedisAddress primary);

  SentinelOptions const options_;
  SwitchHandler on_switch_;
  std::size_t next_ = 0;
  std::optional<RedisAddress> primary_;
  bool refusal_logged_ = false;
  RedisConnection connection_;  // last: destroyed first, with the handlers that name this
};

}  // namespace wshub
