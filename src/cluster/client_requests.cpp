// A request is answered once: when every node it went to has answered, at its timeout, or by a failed route; the
// ids no node reported reaching are missing, in the order they were asked for.
#include "cluster/client_requests.hpp"

#include <algorithm>

#include "cluster/redis_scripts.hpp"
#include "cluster/redis_text.hpp"
#include "cluster/replay_window.hpp"

namespace wshub {
namespace {

// An answer for a dead origin is never read; its stream keeps at most this many before trimming.
constexpr std::string_view answers_kept = "10000";
constexpr std::string_view send_op = "send";
constexpr std::string_view close_op = "close";

std::string field(StreamEntry const& entry, std::string_view name) {
  auto const found = entry.fields.find(name);
  return found == entry.fields.end() ? std::string() : found->second;
}

}  // namespace

ClientRequests::ClientRequests(asio::any_io_executor executor, ScriptingLink& commands, ClusterKeys const& keys,
                               ClusterOptions const& options, Metrics& metrics)
    : executor_(executor),
      commands_(commands),
      keys_(keys),
      options_(options),
      metrics_(metrics),
      route_script_(std::string(redis_scripts::route)),
      deadline_timer_(std::move(executor)) {}

void ClientRequests::send_to(std::vector<ClientId> ids, std::string text, Backplane::SendDone done) {
  request(send_op, std::move(ids), std::move(text), CloseCode::normal, std::move(done));
}

void ClientRequests::disconnect(ClientId id, CloseCode code, std::string reason, Backplane::CountDone done) {
  auto executor = done.executor();
  request(close_op, {id}, std::move(reason), code,
          {std::move(executor), [done = std::move(done)](SendResult result) mutable { std::move(done)(result.sent); }});
}

void ClientRequests::request(std::string_view op, std::vector<ClientId> ids, std::string text, CloseCode code,
                             Backplane::SendDone done) {
  if (!commands_.up()) return complete_later(executor_, std::move(done), SendResult{0, std::move(ids)});
  auto const sequence = ++next_sequence_;
  std::vector<std::string> keys_and_args{"2",
                                         keys_.owners,
                                         keys_.broadcasts,
                                         options_.node_id,
                                         keys_.node_prefix,
                                         oldest_kept_stream_id(options_.replay_window),
                                         std::to_string(sequence),
                                         std::string(op),
                                         std::move(text),
                                         std::to_string(static_cast<int>(code))};
  for (auto const id : ids) keys_and_args.push_back(std::to_string(id));
  pending_.emplace(sequence, Pending{.done = std::move(done),
                                     .deadline = Clock::now() + options_.count_timeout,
                                     .ids = std::move(ids),
                                     .routed = false,
                                     .parts = {}});
  arm_deadline();
  commands_.run(route_script_, std::move(keys_and_args),
                [this, sequence](RedisReply const& reply) { on_routed(sequence, reply); });
}

// The reply: {ids no other live node holds, {node, {its ids}}, ...}; an error reached no node. The ids of the
// first part are missing: finish() counts as missing every id no node reported reaching.
void ClientRequests::on_routed(std::uint64_t sequence, RedisReply const& reply) {
  auto const found = pending_.find(sequence);
  if (found == pending_.end()) return;
  auto& pending = found->second;
  pending.routed = true;
  for (std::size_t i = 1; !reply.is_error() && i < reply.elements.size(); ++i) {
    auto const& routed = reply.elements[i];
    if (routed.elements.size() != 2) continue;
    auto& part = pending.parts[routed.elements[0].text];
    for (auto const& id : routed.elements[1].elements) {
      if (auto const parsed = whole_integer<ClientId>(id.text)) part.ids.push_back(*parsed);
    }
  }
  finish_if_answered(found);
}

void ClientRequests::on_request_entry(StreamEntry const& entry) {
  if (field(entry, "to") != options_.node_id) return;
  auto const ids = id_list_from_text(field(entry, "ids"));
  auto const op = field(entry, "op");
  SendResult result;
  if (op == send_op) {
    result = clients_->send_local(ids, field(entry, "text"));
  } else if (op == close_op && !ids.empty()) {
    auto const code = whole_integer<std::uint16_t>(field(entry, "code")).value_or(1000);
    bool const closed = clients_->disconnect_local(ids.front(), static_cast<CloseCode>(code), field(entry, "text"));
    result = {closed ? 1U : 0U, closed ? std::vector<ClientId>{} : ids};
  }
  answer_back(entry, field(entry, "from"), result);
}

void ClientRequests::answer_back(StreamEntry const& entry, std::string const& origin, SendResult const& result) {
  commands_.command({"XADD", keys_.counts_of(origin), "MAXLEN", "~", std::string(answers_kept), "*", "k", "request",
                     "o", options_.node_id, "s", field(entry, "seq"), "n", std::to_string(result.sent), "x",
                     id_list_to_text(result.missing)},
                    [](RedisReply const&) {});
}

void ClientRequests::on_answer(StreamEntry const& entry) {
  auto const sequence = whole_integer<std::uint64_t>(field(entry, "s"));
  auto const found = sequence ? pending_.find(*sequence) : pending_.end();
  if (found == pending_.end()) return;  // answered already: this one came too late
  auto& part = found->second.parts[field(entry, "o")];
  part.reached = whole_integer<std::size_t>(field(entry, "n")).value_or(0);
  part.missing = id_list_from_text(field(entry, "x"));
  finish_if_answered(found);
}

void ClientRequests::finish_if_answered(PendingMap::iterator pending) {
  auto const& parts = pending->second.parts;
  bool const all_answered =
      std::ranges::all_of(parts, [](auto const& part) { return part.second.reached.has_value(); });
  if (pending->second.routed && all_answered) finish(pending);
}

// One wait at a time, for the oldest request: every request waits equally long, so none is due before it.
void ClientRequests::arm_deadline() {
  if (deadline_armed_ || pending_.empty()) return;
  deadline_armed_ = true;
  deadline_timer_.arm_at(pending_.begin()->second.deadline, [this] { on_deadline(); });
}

void ClientRequests::on_deadline() {
  deadline_armed_ = false;
  auto const now = Clock::now();
  while (!pending_.empty() && pending_.begin()->second.deadline <= now) finish(pending_.begin());
  arm_deadline();
}

// Reached: what the nodes that answered reported. Missing: every other id, in the order asked.
void ClientRequests::finish(PendingMap::iterator pending) {
  auto finished = std::move(pending->second);
  pending_.erase(pending);
  std::set<ClientId> reached_ids;
  SendResult result;
  for (auto const& [node, part] : finished.parts) {
    if (!part.reached) {
      metrics_.add(Counter::cluster_late_counts);  // its answer, if it comes, finds the request answered
      continue;
    }
    result.sent += *part.reached;
    std::set<ClientId> const missing(part.missing.begin(), part.missing.end());
    for (auto const id : part.ids) {
      if (!missing.contains(id)) reached_ids.insert(id);
    }
  }
  for (auto const id : finished.ids) {
    if (!reached_ids.contains(id)) result.missing.push_back(id);
  }
  complete_later(executor_, std::move(finished.done), std::move(result));
}

}  // namespace wshub
