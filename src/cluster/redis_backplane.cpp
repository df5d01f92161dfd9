// Claims and listings through Lua scripts, broadcasts through one stream read by every node, counts back to the
// origin through its own stream; a node cut off from Redis serves its own clients and catches up on return.
#include "cluster/redis_backplane.hpp"

#include <charconv>

#include <spdlog/spdlog.h>

#include "cluster/redis_scripts.hpp"
#include "ops/logging.hpp"

namespace wshub {
namespace {

// How many stream entries one XREAD takes at most, and how long it blocks before asking again.
constexpr std::string_view read_batch_entries = "1000";
constexpr auto read_block = std::chrono::milliseconds(1000);
// A count for a dead origin is never read; its stream keeps at most this many before trimming.
constexpr std::string_view counts_kept = "10000";
constexpr auto reread_after_error = std::chrono::milliseconds(500);
constexpr auto late_log_every = std::chrono::seconds(5);

std::string script_with_claim(std::string_view body) {
  return std::string(redis_scripts::claim_functions) + std::string(body);
}

std::string to_text(JoinTime joined_at) {
  return std::to_string(joined_at.time_since_epoch().count());
}

// The whole text as one integer, or nothing: Redis hands every number back as text.
template <typename Integer>
std::optional<Integer> whole_integer(std::string const& text) {
  Integer value{};
  auto const result = std::from_chars(text.data(), text.data() + text.size(), value);
  if (result.ec != std::errc{} || result.ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<ClientId> to_client_id(std::string const& text) {
  return whole_integer<ClientId>(text);
}

std::optional<JoinTime> to_join_time(std::string const& text) {
  auto const micros = whole_integer<JoinTime::rep>(text);
  if (!micros) return std::nullopt;
  return JoinTime(JoinTime::duration(*micros));
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// "1700000000000-3" as the pair it stands for, so that ids compare as numbers.
std::pair<std::uint64_t, std::uint64_t> stream_position(std::string const& id) {
  std::pair<std::uint64_t, std::uint64_t> position{};
  auto const dash = id.find('-');
  std::from_chars(id.data(), id.data() + std::min(dash, id.size()), position.first);
  if (dash != std::string::npos) std::from_chars(id.data() + dash + 1, id.data() + id.size(), position.second);
  return position;
}

// XREAD's answer for one stream: [key, [[id, [field, value, ...]], ...]].
std::vector<std::pair<std::string, std::vector<RedisReply> const*>> streams_of(RedisReply const& reply) {
  std::vector<std::pair<std::string, std::vector<RedisReply> const*>> streams;
  for (auto const& stream : reply.elements) {
    if (stream.elements.size() == 2) streams.emplace_back(stream.elements[0].text, &stream.elements[1].elements);
  }
  return streams;
}

}  // namespace

RedisBackplane::RedisBackplane(asio::any_io_executor executor, ClusterOptions options, Metrics& metrics)
    : executor_(executor),
      options_(std::move(options)),
      metrics_(metrics),
      owners_key_(key("owners")),
      order_key_(key("order")),
      joined_key_(key("joined")),
      nodes_key_(key("nodes")),
      node_prefix_(key("node:")),
      broadcasts_key_(key("broadcasts")),
      claim_script_(script_with_claim(redis_scripts::claim)),
      release_script_(std::string(redis_scripts::release)),
      reregister_script_(script_with_claim(redis_scripts::reregister)),
      list_script_(std::string(redis_scripts::list)),
      publish_script_(std::string(redis_scripts::publish)),
      commands_(executor, options_.redis, {.reply_timeout = options_.redis_timeout},
                {.on_up = [this] { on_commands_up(); }, .on_down = [this](auto const&) { on_down(); }}),
      reader_(executor, options_.redis, {.reply_timeout = options_.redis_timeout},
              {.on_up = [this] { on_reader_up(); }, .on_down = [this](auto const&) { on_down(); }}),
      heartbeat_timer_(executor),
      reread_timer_(executor) {}

void RedisBackplane::start(std::string const& node_id) {
  if (options_.node_id.empty()) options_.node_id = node_id;
  counts_key_ = key("counts:" + options_.node_id);
  asio::post(executor_, [this] {
    log_event(spdlog::level::info, {{"cluster", options_.cluster_name}, {"node_id", options_.node_id}},
              "cluster {}: node {} joining through redis://{}:{}/{}", options_.cluster_name, options_.node_id,
              options_.redis.host, options_.redis.port, options_.redis.database);
    outage_started_ = std::chrono::steady_clock::now();
    auto const name = options_.cluster_name + ":" + options_.node_id + ":";
    commands_.start(name + "commands");
    reader_.start(name + "reader");
  });
}

BackplaneState RedisBackplane::state() const {
  return {.clustered = true, .connected = connected_.load(), .joining = joining_.load(), .node_id = options_.node_id};
}

void RedisBackplane::eval(std::string const& script, std::vector<std::string> args,
                          RedisConnection::ReplyHandler handler) {
  std::vector<std::string> command{"EVAL",      script,           "3",         owners_key_, order_key_,
                                   joined_key_, options_.node_id, node_prefix_};
  command.insert(command.end(), std::make_move_iterator(args.begin()), std::make_move_iterator(args.end()));
  commands_.command(command, std::move(handler));
}

void RedisBackplane::claim(LocalClient const& client, ClaimDone done) {
  asio::post(executor_, [this, client, done = std::move(done)]() mutable {
    // Cut off, the node admits on its own say; re-registration settles any duplicate once Redis is back.
    if (!commands_.up()) return complete_later(executor_, std::move(done), true);
    auto shared = std::make_shared<ClaimDone>(std::move(done));  // a ReplyHandler is a std::function: copyable
    eval(claim_script_, {std::to_string(client.id), to_text(client.joined_at)},
         [this, done = std::move(shared)](RedisReply const& reply) {
           complete_later(executor_, std::move(*done), reply.is_error() || reply.integer == 1);
         });
  });
}

void RedisBackplane::release(ClientId id) {
  asio::post(executor_, [this, id] {
    if (commands_.up()) eval(release_script_, {std::to_string(id)}, [](RedisReply const&) {});
  });
}

void RedisBackplane::list_clients(std::vector<ClientId> local, ListDone done) {
  asio::post(executor_, [this, local = std::move(local), done = std::move(done)]() mutable {
    if (!commands_.up()) return complete_later(executor_, std::move(done), std::move(local));
    auto shared = std::make_shared<ListDone>(std::move(done));  // a ReplyHandler is a std::function: copyable
    eval(list_script_, {}, [this, local = std::move(local), done = std::move(shared)](RedisReply const& reply) mutable {
      if (reply.is_error()) return complete_later(executor_, std::move(*done), std::move(local));
      std::vector<ClientId> ids;
      ids.reserve(reply.elements.size());
      for (auto const& element : reply.elements) {
        if (auto const id = to_client_id(element.text)) ids.push_back(*id);
      }
      complete_later(executor_, std::move(*done), std::move(ids));
    });
  });
}

void RedisBackplane::leave_cluster(LeaveDone done) {
  asio::post(executor_, [this, done = std::move(done)]() mutable {
    left_ = true;
    heartbeat_timer_.cancel();
    if (!commands_.up()) return complete_later(executor_, std::move(done));
    // Queued behind every release this node sent, so when Redis answers they have all been applied. Without its
    // liveness key the node is dead to the others at once: no broadcast waits for its count, and any id it still
    // held is free, instead of both lasting until NODE_TIMEOUT_SEC.
    commands_.command({"SREM", nodes_key_, options_.node_id}, [](RedisReply const&) {});
    auto shared = std::make_shared<LeaveDone>(std::move(done));  // a ReplyHandler is a std::function: copyable
    commands_.command({"DEL", node_prefix_ + options_.node_id}, [this, done = std::move(shared)](RedisReply const&) {
      log_event(spdlog::level::info, {{"cluster", options_.cluster_name}, {"node_id", options_.node_id}},
                "cluster {}: node {} left", options_.cluster_name, options_.node_id);
      complete_later(executor_, std::move(*done));
    });
  });
}

void RedisBackplane::publish(std::string const& text, CountDone done) {
  asio::post(executor_, [this, text, done = std::move(done)]() mutable {
    // Published only while connected: a broadcast made while cut off reached this node's clients, and no one else.
    if (!commands_.up()) return complete_later(executor_, std::move(done), std::size_t{0});
    auto const sequence = ++next_sequence_;
    auto& pending = pending_[sequence];
    pending.done = std::move(done);
    pending.timer = std::make_unique<asio::steady_timer>(executor_, options_.count_timeout);
    pending.timer->async_wait([this, sequence](error_code error) {
      if (!error) on_count_timeout(sequence);
    });
    commands_.command({"EVAL", publish_script_, "2", broadcasts_key_, nodes_key_, node_prefix_, oldest_kept_stream_id(),
                       options_.node_id, std::to_string(sequence), std::move(text)},
                      [this, sequence](RedisReply const& reply) { on_published(sequence, reply); });
  });
}

void RedisBackplane::on_published(std::uint64_t sequence, RedisReply const& reply) {
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
  if (pending.waiting_for->empty()) finish_broadcast(sequence);
}

void RedisBackplane::on_count_entry(StreamEntry const& entry) {
  std::uint64_t sequence = 0;
  std::size_t count = 0;
  auto const& s = entry.fields.find("s");
  auto const& n = entry.fields.find("n");
  auto const& o = entry.fields.find("o");
  if (s == entry.fields.end() || n == entry.fields.end() || o == entry.fields.end()) return;
  std::from_chars(s->second.data(), s->second.data() + s->second.size(), sequence);
  std::from_chars(n->second.data(), n->second.data() + n->second.size(), count);
  auto const found = pending_.find(sequence);
  if (found == pending_.end()) return;  // answered already: the count came too late
  auto& pending = found->second;
  pending.others += count;
  pending.reported.insert(o->second);
  if (!pending.waiting_for) return;
  pending.waiting_for->erase(o->second);
  if (pending.waiting_for->empty()) finish_broadcast(sequence);
}

void RedisBackplane::on_count_timeout(std::uint64_t sequence) {
  auto const found = pending_.find(sequence);
  if (found == pending_.end()) return;
  auto const late = found->second.waiting_for.value_or(std::set<std::string>{"(the publish itself)"});
  metrics_.add(Counter::cluster_late_counts, late.size());
  auto const now = std::chrono::steady_clock::now();
  if (now - last_late_log_ >= late_log_every) {
    last_late_log_ = now;
    auto const late_nodes = fmt::format("{}", fmt::join(late, ", "));
    log_event(spdlog::level::warn, {{"late_nodes", late_nodes}},
              "cluster: {} node(s) did not count a broadcast within {} ms ({}); \"sent\" leaves them out", late.size(),
              options_.count_timeout.count(), late_nodes);
  }
  finish_broadcast(sequence);
}

void RedisBackplane::finish_broadcast(std::uint64_t sequence) {
  auto const found = pending_.find(sequence);
  if (found == pending_.end()) return;
  auto pending = std::move(found->second);
  pending_.erase(found);
  pending.timer->cancel();
  complete_later(executor_, std::move(pending.done), pending.others);
}

// A failed first attempt ends the joining too, as an outage from the start: a node that cannot reach Redis serves
// its own clients rather than stay unready.
void RedisBackplane::on_down() {
  if (joining_.exchange(false)) note_outage("cannot reach Redis");
  on_connection_change();
}

void RedisBackplane::on_connection_change() {
  bool const connected = commands_.up() && reader_.up();
  if (connected == connected_.load()) return;
  connected_ = connected;
  if (!connected) return note_outage("lost Redis");
  auto const waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - outage_started_).count();
  log_event(spdlog::level::info, {{"redis", "up"}, {"waited_sec", waited}},
            "cluster: connected to Redis at {}:{} after {:.1f} s", options_.redis.host, options_.redis.port, waited);
  outage_logged_ = false;
}

void RedisBackplane::note_outage(std::string_view what) {
  if (outage_logged_) return;
  outage_logged_ = true;
  outage_started_ = std::chrono::steady_clock::now();
  metrics_.add(Counter::redis_outages);
  log_event(spdlog::level::warn, {{"redis", "down"}},
            "cluster: {} at {}:{}; serving this node's clients only, reconnecting", what, options_.redis.host,
            options_.redis.port);
}

void RedisBackplane::on_commands_up() {
  live_ = false;  // registered below, as after any loss: a missing liveness key says nothing new
  if (reader_ready_) heartbeat();
  reregister();
  on_connection_change();
}

void RedisBackplane::heartbeat() {
  if (left_) return;
  heartbeat_timer_.cancel();
  auto const timeout_ms = std::to_string(options_.node_timeout.count());
  // GET: the key's old value. Gone, the others took this node for dead (it was stopped, or its heartbeats were
  // held up, longer than the timeout) and may have dropped its clients from the list or given their ids away.
  commands_.command(
      {"SET", node_prefix_ + options_.node_id, "1", "PX", timeout_ms, "GET"}, [this](RedisReply const& reply) {
        if (reply.is_error()) return;
        bool const lapsed = live_ && reply.kind == RedisReply::Kind::nil;
        live_ = true;
        if (lapsed) on_liveness_lapsed();
        if (announced_) return;
        announced_ = true;
        joining_ = false;
        log_event(spdlog::level::info, {{"cluster", options_.cluster_name}, {"node_id", options_.node_id}},
                  "cluster {}: node {} is live, reading broadcasts after {}", options_.cluster_name, options_.node_id,
                  last_broadcast_id_);
      });
  commands_.command({"SADD", nodes_key_, options_.node_id}, [](RedisReply const&) {});
  // This node's count stream goes away with it.
  auto const counts_ttl = std::to_string((options_.node_timeout + options_.replay_window).count());
  commands_.command({"PEXPIRE", counts_key_, counts_ttl}, [](RedisReply const&) {});
  // A third of the timeout: two heartbeats may be lost before the others think this node dead.
  heartbeat_timer_.expires_after(options_.node_timeout / 3);
  heartbeat_timer_.async_wait([this](error_code error) {
    if (!error) heartbeat();
  });
}

void RedisBackplane::on_liveness_lapsed() {
  log_event(spdlog::level::warn, {{"node_id", options_.node_id}},
            "cluster: node {} was taken for dead (its liveness key expired: silent longer than {} s); registering its "
            "clients again",
            options_.node_id, options_.node_timeout.count() / 1000.0);
  reregister();
}

std::string RedisBackplane::oldest_kept_stream_id() const {
  return std::to_string(now_ms() - options_.replay_window.count());
}

void RedisBackplane::reregister() {
  std::map<ClientId, LocalClient> registered;
  std::vector<std::string> args{broadcasts_key_, oldest_kept_stream_id()};
  for (auto const& client : clients_->local_clients()) {
    registered.emplace(client.id, client);
    args.push_back(std::to_string(client.id));
    args.push_back(to_text(client.joined_at));
  }
  eval(reregister_script_, std::move(args), [this, registered = std::move(registered)](RedisReply const& reply) {
    if (reply.is_error()) {
      return log_event(spdlog::level::err, {{"reason", reply.text}},
                       "cluster: registering this node's clients failed: {}", reply.text);
    }
    for (auto const& refused : reply.elements) {
      auto const id = to_client_id(refused.text);
      if (id && registered.contains(*id)) close_later_duplicate(registered.at(*id), "on another node");
    }
  });
}

void RedisBackplane::close_later_duplicate(LocalClient const& client, std::string_view where) {
  metrics_.add(Counter::connections_duplicate_id);
  log_event(spdlog::level::warn, {{"client_id", client.id}, {"close_code", 1008}},
            "cluster: client id {} was connected here and {} while Redis was out of reach; closing the later "
            "connection, this one, with 1008",
            client.id, where);
  clients_->close_local(client, CloseCode::policy_violation,
                        fmt::format("client id {} is already connected", client.id));
}

void RedisBackplane::on_reader_up() {
  on_connection_change();
  if (!last_broadcast_id_.empty()) {
    check_replay_gap();
    return read_next();
  }
  // First connection: read what is published from now on.
  find_start(broadcasts_key_, last_broadcast_id_, [this] {
    find_start(counts_key_, last_count_id_, [this] {
      // Only now may the others wait for this node's counts: it sees every broadcast from here on.
      reader_ready_ = true;
      heartbeat();
      read_next();
    });
  });
}

void RedisBackplane::find_start(std::string const& key, std::string& last_id, std::function<void()> then) {
  reader_.command({"XREVRANGE", key, "+", "-", "COUNT", "1"},
                  [&last_id, then = std::move(then)](RedisReply const& reply) {
                    if (reply.is_error()) return;  // lost again: on_reader_up starts over
                    last_id = reply.elements.empty() ? "0-0" : reply.elements[0].elements[0].text;
                    then();
                  });
}

void RedisBackplane::check_replay_gap() {
  auto const last = last_broadcast_id_;
  reader_.command({"XINFO", "STREAM", broadcasts_key_}, [this, last](RedisReply const& reply) {
    for (std::size_t i = 0; i + 1 < reply.elements.size(); i += 2) {
      if (reply.elements[i].text != "max-deleted-entry-id") continue;
      if (stream_position(reply.elements[i + 1].text) <= stream_position(last)) return;
      metrics_.add(Counter::cluster_replay_gaps);
      log_event(spdlog::level::err, {{"last_delivered", last}},
                "cluster: cut off from Redis longer than the replay window ({} s): broadcasts after {} were "
                "trimmed before this node could deliver them",
                options_.replay_window.count() / 1000, last);
    }
  });
}

void RedisBackplane::read_next() {
  if (!reader_.up()) return;
  reader_.command(
      {"XREAD", "COUNT", std::string(read_batch_entries), "BLOCK", std::to_string(read_block.count()), "STREAMS",
       broadcasts_key_, counts_key_, last_broadcast_id_, last_count_id_},
      [this](RedisReply const& reply) { on_read(reply); }, read_block);
}

void RedisBackplane::on_read(RedisReply const& reply) {
  if (reply.is_error()) {
    if (!reader_.up()) return;  // on_reader_up resumes from the last id
    log_event(spdlog::level::err, {{"reason", reply.text}}, "cluster: reading broadcasts failed: {}", reply.text);
    reread_timer_.expires_after(reread_after_error);
    return reread_timer_.async_wait([this](error_code error) {
      if (!error) read_next();
    });
  }
  for (auto const& [stream, entries] : streams_of(reply)) {
    bool const broadcasts = stream == broadcasts_key_;
    for (auto const& raw : *entries) {
      if (raw.elements.size() != 2) continue;
      StreamEntry entry{.id = raw.elements[0].text, .fields = {}};
      auto const& fields = raw.elements[1].elements;
      for (std::size_t i = 0; i + 1 < fields.size(); i += 2) entry.fields[fields[i].text] = fields[i + 1].text;
      (broadcasts ? last_broadcast_id_ : last_count_id_) = entry.id;
      if (broadcasts) {
        on_broadcast_entry(entry);
      } else {
        on_count_entry(entry);
      }
    }
  }
  read_next();
}

void RedisBackplane::on_broadcast_entry(StreamEntry const& entry) {
  if (entry.fields.contains("close")) return on_close_entry(entry);
  auto const origin = entry.fields.find("o");
  auto const message = entry.fields.find("m");
  auto const sequence = entry.fields.find("s");
  if (origin == entry.fields.end() || message == entry.fields.end() || sequence == entry.fields.end()) return;
  if (origin->second == options_.node_id) return;  // its clients had it the moment it was accepted
  std::size_t const count = clients_->deliver_local(message->second);
  commands_.command({"XADD", key("counts:" + origin->second), "MAXLEN", "~", std::string(counts_kept), "*", "o",
                     options_.node_id, "s", sequence->second, "n", std::to_string(count)},
                    [](RedisReply const&) {});
}

// Another node re-registered an earlier connection with an id this node holds, and took the id.
void RedisBackplane::on_close_entry(StreamEntry const& entry) {
  auto const node = entry.fields.find("close");
  auto const id = entry.fields.find("i");
  auto const joined_at = entry.fields.find("t");
  if (node->second != options_.node_id || id == entry.fields.end() || joined_at == entry.fields.end()) return;
  auto const client_id = to_client_id(id->second);
  auto const time = to_join_time(joined_at->second);
  if (client_id && time) close_later_duplicate({*client_id, *time}, "earlier on another node");
}

}  // namespace wshub
