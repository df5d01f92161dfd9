// Claims and listings through Lua scripts, broadcasts and requests to clients through one stream read by every
// node, counts and answers back to the origin through its own stream; a node cut off from Redis serves its own clients
// and catches up on return.
#include "cluster/redis_backplane.hpp"

#include <utility>

#include <boost/asio/post.hpp>

#include "cluster/redis_connection.hpp"
#include "cluster/redis_text.hpp"
#include "ops/logging.hpp"

namespace wshub {
namespace {

// One context for both connections: the files are read once, and a bad one throws here, at start-up. Behind
// Sentinel, each attempt goes where the sentinels last said, and counts only if it finds the primary there.
RedisConnectionOptions connection_options(ClusterOptions const& options,
                                          std::shared_ptr<SentinelWatch> const& sentinels) {
  RedisConnectionOptions connection{
      .reply_timeout = options.redis_timeout,
      .tls = options.redis.tls ? std::make_shared<RedisTlsContext>(options.redis_tls) : nullptr};
  if (!sentinels) return connection;
  connection.locate = [sentinels] { return sentinels->primary(); };
  connection.require_primary = true;
  return connection;
}

// How the logs name Redis before a connection says more: REDIS_URL's host, or the sentinels.
std::string redis_named(ClusterOptions const& options) {
  if (!options.sentinel.enabled()) return shown_address({.host = options.redis.host, .port = options.redis.port});
  std::vector<std::string> sentinels;
  for (auto const& sentinel : options.sentinel.sentinels) sentinels.push_back(shown_address(sentinel));
  return fmt::format("the primary {} of the sentinels {}", options.sentinel.master_name, fmt::join(sentinels, ","));
}

std::shared_ptr<SentinelWatch> sentinel_watch(asio::any_io_executor executor, ClusterOptions const& options) {
  if (!options.sentinel.enabled()) return nullptr;
  return std::make_shared<SentinelWatch>(executor, options.sentinel, options.redis_timeout);
}

}  // namespace

RedisBackplane::RedisBackplane(asio::any_io_executor executor, ClusterOptions options, Metrics& metrics)
    : RedisBackplane(executor, options, metrics, sentinel_watch(executor, options)) {}

RedisBackplane::RedisBackplane(asio::any_io_executor executor, ClusterOptions options, Metrics& metrics,
                               std::shared_ptr<SentinelWatch> sentinels)
    : RedisBackplane(
          executor, options, metrics,
          [executor, redis = options.redis,
           connection = connection_options(options, sentinels)](RedisLink::Events events) {
            return std::make_unique<RedisConnection>(executor, redis, connection, std::move(events));
          },
          sentinels) {}

RedisBackplane::RedisBackplane(asio::any_io_executor executor, ClusterOptions options, Metrics& metrics,
                               LinkFactory make_link, std::shared_ptr<SentinelWatch> sentinels)
    : executor_(executor),
      options_(std::move(options)),
      keys_(options_.cluster_name),
      status_(options_.redis, metrics, redis_named(options_)),
      sentinels_(std::move(sentinels)),
      commands_(make_link, {.on_up = [this] { on_commands_up(); },
                            .on_down = [this](auto const&) { on_down(); },
                            .on_refused = [this](auto const& refusal) { on_refused(refusal); }}),
      reader_(make_link({.on_up = [this] { on_reader_up(); },
                         .on_down = [this](auto const&) { on_down(); },
                         .on_refused = [this](auto const& refusal) { on_refused(refusal); }})),
      claims_(executor, commands_, keys_, options_, metrics),
      counts_(executor, commands_, keys_, options_, metrics),
      requests_(executor, commands_, keys_, options_, metrics),
      liveness_(executor, commands_, keys_, options_,
                {.on_first_beat = [this] { on_first_beat(); }, .on_lapsed = [this] { claims_.reregister(); }}),
      stream_reader_(executor, *reader_, keys_, options_, metrics,
                     {.on_ready = [this] { liveness_.begin(); },
                      .on_broadcast = [this](StreamEntry const& entry) { on_broadcast_entry(entry); },
                      .on_count = [this](StreamEntry const& entry) { on_count_entry(entry); }}),
      delivered_(2 * options_.replay_window) {}

void RedisBackplane::start(std::string const& node_id, RefusedHandler on_refused_at_start) {
  if (options_.node_id.empty()) options_.node_id = node_id;
  on_refused_at_start_ = std::move(on_refused_at_start);
  asio::post(executor_, [this] {
    log_event(spdlog::level::info, {{"cluster", options_.cluster_name}, {"node_id", options_.node_id}},
              "cluster {}: node {} joining through {}", options_.cluster_name, options_.node_id,
              sentinels_ ? redis_named(options_) : shown_url(options_.redis));
    if (options_.redis.tls && options_.redis_tls.insecure) {
      log_event(spdlog::level::warn, {{"redis_tls", "insecure"}},
                "cluster: REDIS_TLS_INSECURE: Redis's certificate and host name are not verified; anyone on the way "
                "to {} can read and change the cluster's traffic (for self-signed test setups only)",
                shown_url(options_.redis));
    }
    status_.begin_joining();
    if (!sentinels_) return start_links();
    sentinels_->start(connection_name("sentinel"),
                      {.on_switch = [this](RedisAddress const& primary) { on_primary_named(primary); },
                       .on_refused = [this](RedisRefusal const& refusal) { on_refused(refusal); },
                       .on_down = [this](std::string const&) { on_sentinels_down(); }});
  });
}

std::string RedisBackplane::connection_name(std::string_view role) const {
  return fmt::format("{}:{}:{}", options_.cluster_name, options_.node_id, role);
}

// Behind Sentinel, once the sentinels have named the primary: a connection made before would only fail.
void RedisBackplane::start_links() {
  links_started_ = true;
  commands_.start(connection_name("commands"));
  reader_->start(connection_name("reader"));
}

// Before the sentinels have named a primary, not reaching them is not reaching Redis: the node stops joining and
// serves its own clients. After, the connections to the primary say whether Redis is up.
void RedisBackplane::on_sentinels_down() {
  if (!links_started_) on_down();
}

BackplaneState RedisBackplane::state() const {
  return {.clustered = true,
          .connected = status_.connected(),
          .joining = status_.joining(),
          .node_id = options_.node_id,
          .primary = status_.primary()};
}

void RedisBackplane::claim(LocalClient const& client, ClaimDone done) {
  asio::post(executor_, [this, client, done = std::move(done)]() mutable { claims_.claim(client, std::move(done)); });
}

void RedisBackplane::release(ClientId id) {
  asio::post(executor_, [this, id] { claims_.release(id); });
}

void RedisBackplane::send_to(std::vector<ClientId> ids, std::string const& text, SendDone done) {
  asio::post(executor_, [this, ids = std::move(ids), text, done = std::move(done)]() mutable {
    requests_.send_to(std::move(ids), std::move(text), std::move(done));
  });
}

void RedisBackplane::disconnect(ClientId id, CloseCode code, std::string reason, CountDone done) {
  asio::post(executor_, [this, id, code, reason = std::move(reason), done = std::move(done)]() mutable {
    requests_.disconnect(id, code, std::move(reason), std::move(done));
  });
}

void RedisBackplane::locate(ClientId id, LocateDone done) {
  asio::post(executor_, [this, id, done = std::move(done)]() mutable { claims_.locate(id, std::move(done)); });
}

void RedisBackplane::list_clients(std::vector<ClientId> local, ListDone done) {
  asio::post(executor_, [this, local = std::move(local), done = std::move(done)]() mutable {
    claims_.list(std::move(local), std::move(done));
  });
}

void RedisBackplane::leave_cluster(LeaveDone done) {
  asio::post(executor_, [this, done = std::move(done)]() mutable { liveness_.leave(std::move(done)); });
}

void RedisBackplane::publish(std::string const& text, CountDone done) {
  asio::post(executor_,
             [this, text, done = std::move(done)]() mutable { counts_.publish(std::move(text), std::move(done)); });
}

void RedisBackplane::on_commands_up() {
  counts_.on_link_up();
  liveness_.on_link_up();
  claims_.reregister();
  status_.on_up(connected());
}

void RedisBackplane::on_reader_up() {
  status_.on_up(connected());
  stream_reader_.on_link_up();
}

void RedisBackplane::on_down() {
  if (refused_at_start_) return;  // not an outage: the settings are wrong, and on_refused_at_start_ said so
  status_.on_down(connected());
}

void RedisBackplane::on_refused(RedisRefusal const& refusal) {
  if (been_live_ || !on_refused_at_start_) return status_.on_refused(refusal);
  if (std::exchange(refused_at_start_, true)) return;
  on_refused_at_start_(refusal);
}

void RedisBackplane::on_first_beat() {
  been_live_ = true;
  status_.on_live();
  log_event(spdlog::level::info, {{"cluster", options_.cluster_name}, {"node_id", options_.node_id}},
            "cluster {}: node {} is live, reading broadcasts after {}", options_.cluster_name, options_.node_id,
            stream_reader_.last_broadcast_id());
}

// A connection to the old primary would go on until it failed, or write to a replica (a failover that kept the old
// primary running): both move now. They find the new primary once it answers ROLE as one.
void RedisBackplane::on_primary_named(RedisAddress const& primary) {
  status_.set_primary(primary);
  if (!links_started_) return start_links();
  auto const why = "the sentinels moved the primary to " + shown_address(primary);
  commands_.reconnect(why);
  reader_->reconnect(why);
}

void RedisBackplane::on_broadcast_entry(StreamEntry const& entry) {
  if (entry.fields.contains("close")) return claims_.on_close_entry(entry);
  if (entry.fields.contains("to")) return requests_.on_request_entry(entry);
  auto const origin = entry.fields.find("o");
  auto const message = entry.fields.find("m");
  auto const sequence = entry.fields.find("s");
  if (origin == entry.fields.end() || message == entry.fields.end() || sequence == entry.fields.end()) return;
  if (origin->second == options_.node_id) return;  // its clients had it the moment it was accepted
  // A node of an older version sends no run and never publishes anything twice.
  auto const run = entry.fields.find("run");
  auto const number = whole_integer<std::uint64_t>(sequence->second);
  if (run != entry.fields.end() && number && !delivered_.first_delivery(origin->second + "/" + run->second, *number))
    return;  // published again after a reconnection
  counts_.count_back(origin->second, sequence->second, clients_->deliver_local(message->second));
}

// A count stream carries counts of this node's broadcasts, and answers to its requests (marked by their kind).
void RedisBackplane::on_count_entry(StreamEntry const& entry) {
  if (entry.fields.contains("k")) return requests_.on_answer(entry);
  counts_.on_count(entry);
}

}  // namespace wshub
