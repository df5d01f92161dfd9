// The client registry and broadcast; a mutex guards the registry, and nothing slow happens under it.
#include "hub/hub.hpp"

#include <iterator>
#include <unordered_set>

#include <boost/asio/system_executor.hpp>

namespace wshub {

Hub::Hub(Backplane& backplane, HubOptions const& options) : backplane_(backplane), options_(options) {
  backplane_.attach(*this, options_.duplicate_policy);
}

std::optional<JoinOutcome> Hub::join(ClientId id, std::shared_ptr<HubClient> client, JoinDone done) {
  LocalClient const registration{id,
                                 std::chrono::time_point_cast<JoinTime::duration>(std::chrono::system_clock::now())};
  if (auto const refused = refusal(registration)) return refused;
  if (auto const claimed = backplane_.claim_at_once(registration)) {
    return on_claimed(registration, std::move(client), *claimed);
  }
  // This step runs where done is to run, so done follows it at once.
  auto executor = done.executor();
  backplane_.claim(registration, {std::move(executor), [this, registration, client = std::move(client),
                                                        done = std::move(done)](bool claimed) mutable {
                                    std::move(done)(on_claimed(registration, std::move(client), claimed));
                                  }});
  return std::nullopt;
}

// Refuses at once, or counts the id as taken here until the cluster has answered.
std::optional<JoinOutcome> Hub::refusal(LocalClient const& registration) {
  std::scoped_lock lock(mutex_);
  if (!admitting_) return JoinOutcome::shutting_down;
  auto const id = registration.id;
  if (claiming_.contains(id)) return JoinOutcome::duplicate_id;
  bool const held = by_id_.contains(id);
  if (held && options_.duplicate_policy == DuplicatePolicy::refuse) return JoinOutcome::duplicate_id;
  // A replacement takes the place of the connection it replaces: the count stays.
  std::size_t const taken = members_.size() + claiming_.size() - (held ? 1 : 0);
  if (options_.max_clients != 0 && taken >= options_.max_clients) return JoinOutcome::over_limit;
  claiming_.emplace(id, Claim{registration.joined_at});
  return std::nullopt;
}

JoinOutcome Hub::on_claimed(LocalClient const& registration, std::shared_ptr<HubClient> client, bool claimed) {
  auto const id = registration.id;
  std::shared_ptr<HubClient> replaced;
  bool release = false;
  auto const outcome = [&] {
    std::scoped_lock lock(mutex_);
    bool const superseded = claiming_.at(id).superseded;
    claiming_.erase(id);
    if (!claimed) return JoinOutcome::duplicate_id;
    if (superseded) return JoinOutcome::replaced;  // the id is the newer connection's now: nothing to release
    // The drain began while the cluster was asked; the id is released unless an older connection here holds it.
    release = !admitting_ && !by_id_.contains(id);
    if (!admitting_) return JoinOutcome::shutting_down;
    replaced = admit(registration, std::move(client));
    return JoinOutcome::joined;
  }();
  if (release) backplane_.release(id);
  if (replaced) replaced->close(CloseCode::replaced, std::string(replaced_reason));
  return outcome;
}

std::shared_ptr<HubClient> Hub::admit(LocalClient const& registration, std::shared_ptr<HubClient> client) {
  std::shared_ptr<HubClient> replaced;
  if (auto const older = by_id_.find(registration.id); older != by_id_.end()) {
    replaced = older->second->client;
    members_.erase(older->second);
    by_id_.erase(older);
  }
  members_.push_back({registration, std::move(client)});
  by_id_.emplace(registration.id, std::prev(members_.end()));
  return replaced;
}

void Hub::leave(ClientId id, HubClient const* client) {
  std::optional<Completion<void()>> on_empty;
  {
    std::scoped_lock lock(mutex_);
    auto const found = by_id_.find(id);
    if (found == by_id_.end() || found->second->client.get() != client) return;
    members_.erase(found->second);
    by_id_.erase(found);
    if (members_.empty()) on_empty = std::exchange(on_empty_, std::nullopt);
  }
  backplane_.release(id);
  // Posted, not dispatched: the session leaving is in the middle of its own close, no place for the waiter's step.
  if (on_empty) complete_posted(asio::system_executor(), std::move(*on_empty));
}

void Hub::broadcast(std::string text, CountDone done) {
  // Encode the frame once: every client's queue holds the same bytes.
  auto const frame = SharedFrame::text(text);
  // One broadcast at a time, so that all clients, here and on the other nodes, receive broadcasts in the same
  // order; joins and leaves wait only for the snapshot, not for the deliveries.
  std::scoped_lock order(broadcast_order_);
  std::size_t const here = deliver_to_all(frame);
  auto executor = done.executor();
  backplane_.publish(text, {std::move(executor), [here, done = std::move(done)](std::size_t elsewhere) mutable {
                              std::move(done)(here + elsewhere);
                            }});
}

std::size_t Hub::deliver_local(std::string text) {
  auto const frame = SharedFrame::text(text);
  std::scoped_lock order(broadcast_order_);
  return deliver_to_all(frame);
}

std::size_t Hub::deliver_to_all(SharedFrame const& frame) {
  auto const recipients = snapshot();
  for (auto const& client : recipients) client->deliver(frame);
  return recipients.size();
}

void Hub::send_to(std::vector<ClientId> ids, std::string text, SendDone done) {
  auto const frame = SharedFrame::text(text);
  // In the broadcasts' order: a send and a broadcast reach every client here and elsewhere in one order.
  std::scoped_lock order(broadcast_order_);
  auto [here, elsewhere] = find_here(std::move(ids));
  for (auto const& client : here) client->deliver(frame);
  if (elsewhere.empty()) return complete_posted(asio::system_executor(), std::move(done), SendResult{here.size(), {}});
  auto executor = done.executor();
  backplane_.send_to(std::move(elsewhere), text,
                     {std::move(executor), [here = here.size(), done = std::move(done)](SendResult result) mutable {
                        result.sent += here;
                        std::move(done)(std::move(result));
                      }});
}

SendResult Hub::send_local(std::vector<ClientId> const& ids, std::string const& text) {
  auto const frame = SharedFrame::text(text);
  std::scoped_lock order(broadcast_order_);
  auto [here, missing] = find_here(ids);
  for (auto const& client : here) client->deliver(frame);
  return {here.size(), std::move(missing)};
}

std::pair<std::vector<std::shared_ptr<HubClient>>, std::vector<ClientId>> Hub::find_here(
    std::vector<ClientId> ids) const {
  std::unordered_set<ClientId> seen;
  std::vector<std::shared_ptr<HubClient>> here;
  std::vector<ClientId> elsewhere;
  std::scoped_lock lock(mutex_);
  for (auto const id : ids) {
    if (!seen.insert(id).second) continue;
    auto const found = by_id_.find(id);
    if (found != by_id_.end()) {
      here.push_back(found->second->client);
    } else {
      elsewhere.push_back(id);
    }
  }
  return {std::move(here), std::move(elsewhere)};
}

void Hub::disconnect(ClientId id, CloseCode code, std::string reason, CountDone done) {
  if (disconnect_local(id, code, reason)) {
    return complete_posted(asio::system_executor(), std::move(done), std::size_t{1});
  }
  backplane_.disconnect(id, code, std::move(reason), std::move(done));
}

bool Hub::disconnect_local(ClientId id, CloseCode code, std::string reason) {
  auto const found = member(id);
  if (found) found->client->close(code, std::move(reason));
  return found.has_value();
}

void Hub::locate(ClientId id, LocateDone done) const {
  if (auto const found = member(id)) {
    ClientLocation location{id, found->registration.joined_at, backplane_.state().node_id};
    return complete_posted(asio::system_executor(), std::move(done), std::optional(std::move(location)));
  }
  backplane_.locate(id, std::move(done));
}

std::optional<Hub::Member> Hub::member(ClientId id) const {
  std::scoped_lock lock(mutex_);
  auto const found = by_id_.find(id);
  if (found == by_id_.end()) return std::nullopt;
  return *found->second;
}

void Hub::list_clients(ListDone done) const {
  backplane_.list_clients(local_client_ids(), std::move(done));
}

std::vector<ClientId> Hub::local_client_ids() const {
  std::scoped_lock lock(mutex_);
  std::vector<ClientId> ids;
  ids.reserve(members_.size());
  for (auto const& member : members_) ids.push_back(member.registration.id);
  return ids;
}

std::vector<LocalClient> Hub::local_clients() const {
  std::scoped_lock lock(mutex_);
  std::vector<LocalClient> registrations;
  registrations.reserve(members_.size());
  for (auto const& member : members_) registrations.push_back(member.registration);
  return registrations;
}

// The connection may still be waiting for its claim's answer: it is then refused when the answer comes.
void Hub::close_local(LocalClient const& registration, CloseCode code, std::string reason) {
  std::shared_ptr<HubClient> client;
  {
    std::scoped_lock lock(mutex_);
    auto const claim = claiming_.find(registration.id);
    if (claim != claiming_.end() && claim->second.joined_at == registration.joined_at) claim->second.superseded = true;
    auto const found = by_id_.find(registration.id);
    if (found != by_id_.end() && found->second->registration.joined_at == registration.joined_at) {
      client = found->second->client;
    }
  }
  if (client) client->close(code, std::move(reason));
}

bool Hub::admitting() const {
  std::scoped_lock lock(mutex_);
  return admitting_;
}

void Hub::stop_admitting() {
  std::scoped_lock lock(mutex_);
  admitting_ = false;
}

std::size_t Hub::client_count() const {
  std::scoped_lock lock(mutex_);
  return members_.size();
}

void Hub::close_all(CloseCode code, std::string_view reason) {
  for (auto const& client : snapshot()) client->close(code, std::string(reason));
}

void Hub::when_empty(Completion<void()> on_empty) {
  {
    std::scoped_lock lock(mutex_);
    if (!members_.empty()) {
      on_empty_ = std::move(on_empty);
      return;
    }
  }
  complete_posted(asio::system_executor(), std::move(on_empty));
}

std::vector<std::shared_ptr<HubClient>> Hub::snapshot() const {
  std::scoped_lock lock(mutex_);
  std::vector<std::shared_ptr<HubClient>> clients;
  clients.reserve(members_.size());
  for (auto const& member : members_) clients.push_back(member.client);
  return clients;
}

}  // namespace wshub
