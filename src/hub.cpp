// The client registry and broadcast; a mutex guards the registry, and nothing slow happens under it.
#include "hub.hpp"

#include <iterator>

namespace wshub {

JoinOutcome Hub::join(ClientId id, std::shared_ptr<HubClient> client) {
  std::scoped_lock lock(mutex_);
  if (!admitting_) return JoinOutcome::shutting_down;
  if (by_id_.contains(id)) return JoinOutcome::duplicate_id;
  if (options_.max_clients != 0 && members_.size() >= options_.max_clients) return JoinOutcome::over_limit;
  members_.push_back({id, std::move(client)});
  by_id_.emplace(id, std::prev(members_.end()));
  return JoinOutcome::joined;
}

void Hub::leave(ClientId id, HubClient const* client) {
  std::function<void()> on_empty;
  {
    std::scoped_lock lock(mutex_);
    auto const found = by_id_.find(id);
    if (found == by_id_.end() || found->second->client.get() != client) return;
    members_.erase(found->second);
    by_id_.erase(found);
    if (members_.empty()) on_empty = std::exchange(on_empty_, nullptr);
  }
  if (on_empty) on_empty();
}

std::size_t Hub::broadcast(std::string text) {
  // Encode the frame once: every client's queue holds the same bytes.
  auto const frame = SharedFrame::text(text);
  // One broadcast at a time, so that all clients receive broadcasts in the same order; joins and leaves
  // wait only for the snapshot, not for the deliveries.
  std::scoped_lock order(broadcast_order_);
  auto const recipients = snapshot();
  for (auto const& client : recipients) client->deliver(frame);
  return recipients.size();
}

std::vector<ClientId> Hub::client_ids() const {
  std::scoped_lock lock(mutex_);
  std::vector<ClientId> ids;
  ids.reserve(members_.size());
  for (auto const& member : members_) ids.push_back(member.id);
  return ids;
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

void Hub::when_empty(std::function<void()> on_empty) {
  {
    std::scoped_lock lock(mutex_);
    if (!members_.empty()) {
      on_empty_ = std::move(on_empty);
      return;
    }
  }
  on_empty();
}

std::vector<std::shared_ptr<HubClient>> Hub::snapshot() const {
  std::scoped_lock lock(mutex_);
  std::vector<std::shared_ptr<HubClient>> clients;
  clients.reserve(members_.size());
  for (auto const& member : members_) clients.push_back(member.client);
  return clients;
}

}  // namespace wshub
