// A broadcast is answered once: by its last count, by its timeout, or by a failed publish; what comes after is late.
#include "cluster/broadcast_counts.hpp"

#include <charconv>
#include <random>

#include "cluster/redis_scripts.hpp"
#include "cluster/replay_window.hpp"
#include "ops/logging.hpp"

namespace wshub {
namespace {

// A count for a dead origin is never read; its stream keeps at most this many before trimming.
constexpr std::string_view counts_kept = "10000";
constexpr auto late_log_every = std::chrono::seconds(5);
// How long a WAIT holds the command connection for a replica's acknowledgement, and how long after one that none
// answered the next may go: a replica that is down costs the other commands at most this wait once a second.
constexpr auto replica_wait = std::chrono::milliseconds(100);
constexpr auto replica_wait_again_after = std::chrono::seconds(1);

// 64 random bits in hex: this process's broadcasts among those of the node id's earlier and later runs.
std::string random_run_id() {
  std::random_device random;
  std::uint64_t const bits = (std::uint64_t{random()} << 32) | random();
  return fmt::format("{:016x}", bits);
}

}  // namespace

BroadcastCounts::BroadcastCounts(asio::any_io_executor executor, ScriptingLink& commands, ClusterKeys const& keys,
                                 ClusterOptions const& options, Metrics& metrics)
    : executor_(executor),
      commands_(commands),
      keys_(keys),
      options_(options),
      metrics_(metrics),
      publish_script_(std::string(redis_scripts::publish)),
      deadline_timer_(executor),
      run_id_(random_run_id()),
      outbox_(options.replay_window, options.outbox_bytes, metrics),
      replica_wait_timer_(std::move(executor)) {}

void BroadcastCounts::publish(std::string text, Backplane::CountDone done) {
  auto const sequence = ++next_sequence_;
  outbox_.add(sequence, text);
  // Cut off: this node's clients have it, and no one else yet.
  if (!commands_.up()) return complete_later(executor_, std::move(done), std::size_t{0});
  pending_.emplace(sequence, Pending{.done = std::move(done),
                                     .deadline = Clock::now() + options_.count_timeout,
                                     .others = 0,
                                     .reported = {},
                                     .waiting_for = std::nullopt});
  arm_deadline();
  send(sequence, std::move(text), [this, sequence](RedisReply const& reply) { on_published(sequence, reply); });
}

// Sent before any new broadcast can be: a new one arrives in a later turn, behind these on the connection.
void BroadcastCounts::on_link_up() {
  auto const& again = outbox_.to_publish_again();
  if (again.empty()) return;
  metrics_.add(Counter::cluster_republished, again.size());
  log_event(spdlog::level::info, {{"broadcasts", again.size()}},
            "cluster: publishing {} broadcast(s) again that other nodes may have missed (made while cut off, or not "
            "yet on a replica)",
            again.size());
  for (auto const& entry : again) {
    send(entry.sequence, entry.text,
         [this, sequence = entry.sequence](RedisReply const& reply) { on_sent(sequence, reply); });
  }
}

void BroadcastCounts::send(std::uint64_t sequence, std::string text, RedisLink::ReplyHandler on_reply) {
  commands_.run(publish_script_,
                {"2", keys_.broadcasts, keys_.nodes, keys_.node_prefix, oldest_kept_stream_id(options_.replay_window),
                 options_.node_id, std::to_string(sequence), std::move(text), run_id_},
                std::move(on_reply));
}

void BroadcastCounts::on_published(std::uint64_t sequence, RedisReply const& reply) {
  on_sent(sequence, reply);
  auto const found = pending_.find(sequence);
  if (found == pending_.end()) return;
  auto& pending = found->second;
  pending.waiting_for.emplace();
  // Not in the stream (an error): nobody else will count it.
  if (!reply.is_error()) {
    for (auto const& node : reply.elements) {
      if (node.text != options_.node_id && !pending.reported.contains(node.text))
        pending.waiting_for->insert(node.text);
    }
  }
  if (pending.waiting_for->empty()) finish(found);
}

// An error on a live connection is Redis's answer (out of memory, a replica): the broadcast was not stored. One with
// the connection lost may have been: it goes again on the next.
void BroadcastCounts::on_sent(std::uint64_t sequence, RedisReply const& reply) {
  if (!reply.is_error()) return on_stored(sequence);
  if (!commands_.up()) return;
  // A primary demoted under a live connection: the next connection goes to the new one, and publishes it again.
  if (reply.text.starts_with("READONLY")) return commands_.reconnect("Redis answered READONLY: a replica now");
  outbox_.give_up(sequence, reply.text);
}

// Without Sentinel there is no failover to lose it in: in the stream is safe.
void BroadcastCounts::on_stored(std::uint64_t sequence) {
  outbox_.mark_published(sequence);
  if (!options_.sentinel.enabled()) return outbox_.confirm_published(sequence);
  wait_for_replica();
}

// WAIT answers how many replicas have every write this connection made before it: one is enough, for Sentinel
// promotes the replica with the most of the primary's writes.
void BroadcastCounts::wait_for_replica() {
  if (waiting_for_replica_ || replica_wait_timer_.armed() || outbox_.last_published() == 0) return;
  waiting_for_replica_ = true;
  auto const covered = outbox_.last_published();
  commands_.command(
      {"WAIT", "1", std::to_string(replica_wait.count())},
      [this, covered](RedisReply const& reply) {
        waiting_for_replica_ = false;
        if (reply.is_error() && !commands_.up()) return;  // lost: all of it goes again on the next connection
        if (reply.is_error() || reply.integer < 1) {
          if (reply.is_error())
            log_event(spdlog::level::err, {{"reason", reply.text}}, "cluster: WAIT failed: {}", reply.text);
          replica_wait_timer_.arm_after(replica_wait_again_after, [this] { wait_for_replica(); });
          return;
        }
        outbox_.confirm_published(covered);
        if (outbox_.last_published() > covered) wait_for_replica();
      },
      replica_wait);
}

void BroadcastCounts::on_count(StreamEntry const& entry) {
  auto const s = entry.fields.find("s");
  auto const n = entry.fields.find("n");
  auto const o = entry.fields.find("o");
  if (s == entry.fields.end() || n == entry.fields.end() || o == entry.fields.end()) return;
  std::uint64_t sequence = 0;
  std::size_t count = 0;
  std::from_chars(s->second.data(), s->second.data() + s->second.size(), sequence);
  std::from_chars(n->second.data(), n->second.data() + n->second.size(), count);
  auto const found = pending_.find(sequence);
  if (found == pending_.end()) return;  // answered already: the count came too late
  auto& pending = found->second;
  pending.others += count;
  pending.reported.insert(o->second);
  if (!pending.waiting_for) return;
  pending.waiting_for->erase(o->second);
  if (pending.waiting_for->empty()) finish(found);
}

void BroadcastCounts::count_back(std::string const& origin, std::string const& sequence, std::size_t count) {
  commands_.command({"XADD", keys_.counts_of(origin), "MAXLEN", "~", std::string(counts_kept), "*", "o",
                     options_.node_id, "s", sequence, "n", std::to_string(count)},
                    [](RedisReply const&) {});
}

// One wait at a time, for the oldest broadcast: every broadcast waits equally long, so none is due before it.
void BroadcastCounts::arm_deadline() {
  if (deadline_armed_ || pending_.empty()) return;
  deadline_armed_ = true;
  deadline_timer_.arm_at(pending_.begin()->second.deadline, [this] { on_deadline(); });
}

void BroadcastCounts::on_deadline() {
  deadline_armed_ = false;
  auto const now = Clock::now();
  while (!pending_.empty() && pending_.begin()->second.deadline <= now) time_out(pending_.begin());
  arm_deadline();
}

void BroadcastCounts::time_out(PendingMap::iterator pending) {
  auto const late = pending->second.waiting_for.value_or(std::set<std::string>{"(the publish itself)"});
  metrics_.add(Counter::cluster_late_counts, late.size());
  auto const now = Clock::now();
  if (now - last_late_log_ >= late_log_every) {
    last_late_log_ = now;
    auto const late_nodes = fmt::format("{}", fmt::join(late, ", "));
    log_event(spdlog::level::warn, {{"late_nodes", late_nodes}},
              "cluster: {} node(s) did not count a broadcast within {} ms ({}); \"sent\" leaves them out", late.size(),
              options_.count_timeout.count(), late_nodes);
  }
  finish(pending);
}

void BroadcastCounts::finish(PendingMap::iterator pending) {
  auto finished = std::move(pending->second);
  pending_.erase(pending);
  complete_later(executor_, std::move(finished.done), finished.others);
}

}  // namespace wshub
