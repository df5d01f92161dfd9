// A broadcast is answered once: by its last count, by its timeout, or by a failed publish; what comes after is late.
#include "cluster/broadcast_counts.hpp"

#include <charconv>

#include "cluster/redis_scripts.hpp"
#include "cluster/replay_window.hpp"
#include "ops/logging.hpp"

namespace wshub {
namespace {

// A count for a dead origin is never read; its stream keeps at most this many before trimming.
constexpr std::string_view counts_kept = "10000";
constexpr auto late_log_every = std::chrono::seconds(5);

}  // namespace

BroadcastCounts::BroadcastCounts(asio::any_io_executor executor, ScriptingLink& commands, ClusterKeys const& keys,
                                 ClusterOptions const& options, Metrics& metrics)
    : executor_(executor),
      commands_(commands),
      keys_(keys),
      options_(options),
      metrics_(metrics),
      publish_script_(std::string(redis_scripts::publish)),
      deadline_timer_(std::move(executor)) {}

void BroadcastCounts::publish(std::string text, Backplane::CountDone done) {
  // Published only while connected: a broadcast made while cut off reached this node's clients, and no one else.
  if (!commands_.up()) return complete_later(executor_, std::move(done), std::size_t{0});
  auto const sequence = ++next_sequence_;
  pending_.emplace(sequence, Pending{.done = std::move(done),
                                     .deadline = Clock::now() + options_.count_timeout,
                                     .others = 0,
                                     .reported = {},
                                     .waiting_for = std::nullopt});
  arm_deadline();
  commands_.run(publish_script_,
                {"2", keys_.broadcasts, keys_.nodes, keys_.node_prefix, oldest_kept_stream_id(options_.replay_window),
                 options_.node_id, std::to_string(sequence), std::move(text)},
                [this, sequence](RedisReply const& reply) { on_published(sequence, reply); });
}

void BroadcastCounts::on_published(std::uint64_t sequence, RedisReply const& reply) {
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
