// Whether this node is connected to Redis and still joining, as /readyz reads it, and the log lines of an outage.
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <string_view>

#include "cluster/redis_endpoint.hpp"
#include "cluster/redis_link.hpp"
#include "ops/metrics.hpp"

namespace wshub {

// Changed on the backplane's executor only; read from any thread.
class RedisStatus {
 public:
  // where: how the log lines name Redis until set_primary says where its primary is.
  RedisStatus(RedisEndpoint const& redis, Metrics& metrics, std::string where)
      : redis_(redis), metrics_(metrics), where_(std::move(where)) {}

  void begin_joining() { outage_started_ = std::chrono::steady_clock::now(); }
  // A connection was lost, or its first attempt failed; connected: whether both connections are still up.
  void on_down(bool connected);
  void on_up(bool connected);
  // Redis refused the credentials, or TLS failed (changed while the node ran): logged once an outage, with the
  // reason.
  void on_refused(RedisRefusal const& refusal);
  // The node's first heartbeat went through: it reads broadcasts and counts as live.
  void on_live() { joining_ = false; }

  // Where the sentinels last said the primary is.
  void set_primary(RedisAddress const& primary);
  // HOST:PORT once the sentinels have named a primary; else empty.
  std::string primary() const;

  bool connected() const { return connected_.load(); }
  bool joining() const { return joining_.load(); }

 private:
  void on_change(bool connected);
  void note_outage(std::string_view what);

  RedisEndpoint const& redis_;
  Metrics& metrics_;
  std::string where() const;

  mutable std::mutex primary_mutex_;  // set on the backplane's executor, read by /readyz and /metrics
  std::string where_;
  std::string primary_;
  std::atomic<bool> connected_{false};
  std::atomic<bool> joining_{true};
  bool outage_logged_ = false;
  bool refusal_logged_ = false;
  std::chrono::steady_clock::time_point outage_started_;
};

}  // namespace wshub
