// Each call is one Lua script (redis_scripts.hpp), atomic in Redis, pipelined on the command connection.
#include "cluster/client_claims.hpp"

#include <map>
#include <optional>

#include "cluster/redis_scripts.hpp"
#include "cluster/redis_text.hpp"
#include "cluster/replay_window.hpp"
#include "ops/logging.hpp"

namespace wshub {
namespace {

std::string script_with_claim(std::string_view body) {
  return std::string(redis_scripts::claim_functions) + std::string(body);
}

std::string to_text(JoinTime joined_at) {
  return std::to_string(joined_at.time_since_epoch().count());
}

std::optional<ClientId> to_client_id(std::string const& text) {
  return whole_integer<ClientId>(text);
}

std::optional<JoinTime> to_join_time(std::string const& text) {
  auto const micros = whole_integer<JoinTime::rep>(text);
  if (!micros) return std::nullopt;
  return JoinTime(JoinTime::duration(*micros));
}

}  // namespace

ClientClaims::ClientClaims(asio::any_io_executor executor, ScriptingLink& commands, ClusterKeys const& keys,
                           ClusterOptions const& options, Metrics& metrics)
    : executor_(std::move(executor)),
      commands_(commands),
      keys_(keys),
      options_(options),
      metrics_(metrics),
      claim_script_(script_with_claim(redis_scripts::claim)),
      claim_replacing_script_(script_with_claim(redis_scripts::claim_replacing)),
      release_script_(std::string(redis_scripts::release)),
      reregister_script_(script_with_claim(redis_scripts::reregister)),
      list_script_(std::string(redis_scripts::list)),
      locate_script_(script_with_claim(redis_scripts::locate)) {}

void ClientClaims::eval(RedisScript const& script, std::vector<std::string> args, RedisLink::ReplyHandler handler) {
  std::vector<std::string> keys_and_args{"3",          keys_.owners,     keys_.order,
                                         keys_.joined, options_.node_id, keys_.node_prefix};
  keys_and_args.insert(keys_and_args.end(), std::make_move_iterator(args.begin()), std::make_move_iterator(args.end()));
  commands_.run(script, std::move(keys_and_args), std::move(handler));
}

void ClientClaims::claim(LocalClient const& client, Backplane::ClaimDone done) {
  // Cut off, the node admits on its own say; re-registration settles any duplicate once Redis is back.
  if (!commands_.up()) return complete_later(executor_, std::move(done), true);
  std::vector<std::string> args{std::to_string(client.id), to_text(client.joined_at)};
  bool const replacing = policy_ == DuplicatePolicy::replace;
  if (replacing) {
    args.push_back(keys_.broadcasts);
    args.push_back(oldest_kept_stream_id(options_.replay_window));
  }
  eval(replacing ? claim_replacing_script_ : claim_script_, std::move(args),
       [this, done = std::move(done)](RedisReply const& reply) mutable {
         complete_later(executor_, std::move(done), reply.is_error() || reply.integer == 1);
       });
}

void ClientClaims::release(ClientId id) {
  if (commands_.up()) eval(release_script_, {std::to_string(id)}, [](RedisReply const&) {});
}

void ClientClaims::list(std::vector<ClientId> local, Backplane::ListDone done) {
  if (!commands_.up()) return complete_later(executor_, std::move(done), std::move(local));
  eval(list_script_, {}, [this, local = std::move(local), done = std::move(done)](RedisReply const& reply) mutable {
    if (reply.is_error()) return complete_later(executor_, std::move(done), std::move(local));
    std::vector<ClientId> ids;
    ids.reserve(reply.elements.size());
    for (auto const& element : reply.elements) {
      if (auto const id = to_client_id(element.text)) ids.push_back(*id);
    }
    complete_later(executor_, std::move(done), std::move(ids));
  });
}

void ClientClaims::locate(ClientId id, Backplane::LocateDone done) {
  if (!commands_.up()) return complete_later(executor_, std::move(done), std::optional<ClientLocation>());
  eval(locate_script_, {std::to_string(id)}, [this, id, done = std::move(done)](RedisReply const& reply) mutable {
    std::optional<ClientLocation> location;
    if (reply.elements.size() == 2) {
      if (auto const joined_at = to_join_time(reply.elements[1].text)) {
        location = ClientLocation{id, *joined_at, reply.elements[0].text};
      }
    }
    complete_later(executor_, std::move(done), std::move(location));
  });
}

void ClientClaims::reregister() {
  std::map<ClientId, LocalClient> registered;
  std::vector<std::string> args{keys_.broadcasts, oldest_kept_stream_id(options_.replay_window),
                                policy_ == DuplicatePolicy::replace ? "replace" : "refuse"};
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
      if (!id || !registered.contains(*id)) continue;
      if (policy_ == DuplicatePolicy::replace) {
        close_replaced(registered.at(*id));
      } else {
        close_later_duplicate(registered.at(*id), "on another node");
      }
    }
  });
}

void ClientClaims::on_close_entry(StreamEntry const& entry) {
  auto const node = entry.fields.find("close");
  auto const id = entry.fields.find("i");
  auto const joined_at = entry.fields.find("t");
  if (node == entry.fields.end() || id == entry.fields.end() || joined_at == entry.fields.end()) return;
  if (node->second != options_.node_id) return;
  auto const client_id = to_client_id(id->second);
  auto const time = to_join_time(joined_at->second);
  if (!client_id || !time) return;
  auto const why = entry.fields.find("why");
  if (why != entry.fields.end() && why->second == "replaced") return close_replaced({*client_id, *time});
  close_later_duplicate({*client_id, *time}, "earlier on another node");
}

void ClientClaims::close_replaced(LocalClient const& client) {
  log_event(spdlog::level::info, {{"client_id", client.id}, {"close_code", 4000}},
            "cluster: client id {} connected again on another node; closing this older connection with 4000",
            client.id);
  clients_->close_local(client, CloseCode::replaced, std::string(replaced_reason));
}

void ClientClaims::close_later_duplicate(LocalClient const& client, std::string_view where) {
  metrics_.add(Counter::connections_duplicate_id);
  log_event(spdlog::level::warn, {{"client_id", client.id}, {"close_code", 1008}},
            "cluster: client id {} was connected here and {} while Redis was out of reach; closing the later "
            "connection, this one, with 1008",
            client.id, where);
  clients_->close_local(client, CloseCode::policy_violation,
                        fmt::format("client id {} is already connected", client.id));
}

}  // namespace wshub
