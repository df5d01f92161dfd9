// The settings of a node's membership in a cluster on Redis, filled from Config in main.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "cluster/redis_endpoint.hpp"
#include "cluster/redis_tls.hpp"

namespace wshub {

// Redis behind Sentinel: the sentinels name the primary, and REDIS_URL's host and port are not used.
struct SentinelOptions {
  std::vector<RedisAddress> sentinels;  // empty: no Sentinel, REDIS_URL's host is the primary
  std::string master_name;              // the name the sentinels monitor the primary by
  std::string password = {};            // the sentinels' own requirepass; empty: no AUTH

  bool enabled() const { return !sentinels.empty(); }
};

struct ClusterOptions {
  RedisEndpoint redis;
  RedisTlsOptions redis_tls;  // used when redis is a rediss:// endpoint
  SentinelOptions sentinel;
  std::string cluster_name = "wshub";              // the prefix of every key: several clusters can share one Redis
  std::string node_id;                             // empty: given to start() once the port is known
  std::chrono::milliseconds count_timeout{1000};   // how long a broadcast waits for the other nodes' counts
  std::chrono::milliseconds redis_timeout{1000};   // how long a command waits for Redis's reply: later, Redis is down
  std::chrono::milliseconds node_timeout{10000};   // a node silent this long is dead: its ids are free
  std::chrono::milliseconds replay_window{30000};  // how far back a reconnected node can catch up
  std::size_t outbox_bytes = 16 * 1024 * 1024;     // the most this node's unconfirmed broadcasts may take
};

}  // namespace wshub
