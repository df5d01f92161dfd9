// A node finds out it was taken for dead from its own heartbeat: SET ... GET returns the key's old value.
#include "cluster/liveness.hpp"

#include "ops/logging.hpp"

namespace wshub {

Liveness::Liveness(asio::any_io_executor executor, RedisLink& commands, ClusterKeys const& keys,
                   ClusterOptions const& options, Events events)
    : executor_(executor),
      commands_(commands),
      keys_(keys),
      options_(options),
      events_(std::move(events)),
      timer_(std::move(executor)) {}

void Liveness::begin() {
  begun_ = true;
  beat();
}

void Liveness::on_link_up() {
  live_ = false;
  if (begun_) beat();
}

void Liveness::beat() {
  if (left_) return;
  auto const timeout_ms = std::to_string(options_.node_timeout.count());
  // GET: the key's old value. Gone, the others took this node for dead (it was stopped, or its heartbeats were
  // held up, longer than the timeout) and may have dropped its clients from the list or given their ids away.
  commands_.command({"SET", keys_.liveness_of(options_.node_id), "1", "PX", timeout_ms, "GET"},
                    [this](RedisReply const& reply) { on_beat_answered(reply); });
  commands_.command({"SADD", keys_.nodes, options_.node_id}, [](RedisReply const&) {});
  // This node's count stream goes away with it.
  auto const counts_ttl = std::to_string((options_.node_timeout + options_.replay_window).count());
  commands_.command({"PEXPIRE", keys_.counts_of(options_.node_id), counts_ttl}, [](RedisReply const&) {});
  // A third of the timeout: two heartbeats may be lost before the others think this node dead. Re-armed by a
  // reconnection too, when the wait before may have fired already: the tick keeps that one from beating twice.
  timer_.arm_after(options_.node_timeout / 3, [this] { beat(); });
}

void Liveness::on_beat_answered(RedisReply const& reply) {
  if (reply.is_error()) return;
  bool const lapsed = live_ && reply.kind == RedisReply::Kind::nil;
  live_ = true;
  if (lapsed) {
    log_event(spdlog::level::warn, {{"node_id", options_.node_id}},
              "cluster: node {} was taken for dead (its liveness key expired: silent longer than {} s); registering "
              "its clients again",
              options_.node_id, options_.node_timeout.count() / 1000.0);
    events_.on_lapsed();
  }
  if (std::exchange(announced_, true)) return;
  events_.on_first_beat();
}

void Liveness::leave(Backplane::LeaveDone done) {
  left_ = true;
  timer_.cancel();
  if (!commands_.up()) return complete_later(executor_, std::move(done));
  // Queued behind every release this node sent, so when Redis answers they have all been applied. Without its
  // liveness key the node is dead to the others at once: no broadcast waits for its count, and any id it still
  // held is free, instead of both lasting until NODE_TIMEOUT_SEC.
  commands_.command({"SREM", keys_.nodes, options_.node_id}, [](RedisReply const&) {});
  commands_.command(
      {"DEL", keys_.liveness_of(options_.node_id)}, [this, done = std::move(done)](RedisReply const&) mutable {
        log_event(spdlog::level::info, {{"cluster", options_.cluster_name}, {"node_id", options_.node_id}},
                  "cluster {}: node {} left", options_.cluster_name, options_.node_id);
        complete_later(executor_, std::move(done));
      });
}

}  // namespace wshub
