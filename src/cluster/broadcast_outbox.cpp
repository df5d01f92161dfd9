// Entries leave the outbox from its front only: when confirmed, when too old, or to make room.
#include "cluster/broadcast_outbox.hpp"

#include <algorithm>
#include <utility>

#include "ops/logging.hpp"

namespace wshub {
namespace {

constexpr auto drop_log_every = std::chrono::seconds(5);

}  // namespace

BroadcastOutbox::BroadcastOutbox(std::chrono::milliseconds max_age, std::size_t max_bytes, Metrics& metrics)
    : max_age_(max_age), max_bytes_(max_bytes), metrics_(metrics) {}

void BroadcastOutbox::add(std::uint64_t sequence, std::string text) {
  drop_expired();
  Entry entry{.sequence = sequence, .text = std::move(text), .accepted = Clock::now(), .published = false};
  while (!entries_.empty() && bytes_ + footprint(entry.text) > max_bytes_) drop_front("REDIS_OUTBOX_BYTES is full");
  bytes_ += footprint(entry.text);
  entries_.push_back(std::move(entry));
}

// Entries are in sequence order: a binary search finds one.
std::deque<BroadcastOutbox::Entry>::iterator BroadcastOutbox::find(std::uint64_t sequence) {
  auto const found = std::ranges::lower_bound(entries_, sequence, {}, &Entry::sequence);
  return found != entries_.end() && found->sequence == sequence ? found : entries_.end();
}

void BroadcastOutbox::mark_published(std::uint64_t sequence) {
  if (auto const found = find(sequence); found != entries_.end()) found->published = true;
}

void BroadcastOutbox::give_up(std::uint64_t sequence, std::string const& why) {
  auto const found = find(sequence);
  if (found == entries_.end()) return;
  metrics_.add(Counter::cluster_outbox_dropped);
  log_event(spdlog::level::err, {{"sequence", sequence}, {"reason", why}},
            "cluster: Redis refused broadcast {} ({}): clients of other nodes miss it", sequence, why);
  remove(found);
}

std::uint64_t BroadcastOutbox::last_published() const {
  auto const found = std::ranges::find_if(entries_.rbegin(), entries_.rend(), &Entry::published);
  return found == entries_.rend() ? 0 : found->sequence;
}

// An entry whose publish was lost with the connection stays, and so do the ones after it: they go again together.
void BroadcastOutbox::confirm_published(std::uint64_t through) {
  while (!entries_.empty() && entries_.front().published && entries_.front().sequence <= through)
    remove(entries_.begin());
}

std::deque<BroadcastOutbox::Entry> const& BroadcastOutbox::to_publish_again() {
  drop_expired();
  for (auto& entry : entries_) entry.published = false;
  return entries_;
}

void BroadcastOutbox::drop_expired() {
  auto const oldest_kept = Clock::now() - max_age_;
  while (!entries_.empty() && entries_.front().accepted < oldest_kept) drop_front("older than REDIS_REPLAY_SEC");
}

void BroadcastOutbox::drop_front(char const* why) {
  auto const& dropped = entries_.front();
  if (dropped.published) {
    if (may_log(last_at_risk_log_)) {
      log_event(spdlog::level::warn, {{"sequence", dropped.sequence}},
                "cluster: no replica has acknowledged broadcast {} ({}): a failover now could lose it",
                dropped.sequence, why);
    }
  } else {
    metrics_.add(Counter::cluster_outbox_dropped);
    if (may_log(last_lost_log_)) {
      log_event(spdlog::level::err, {{"sequence", dropped.sequence}},
                "cluster: gave up publishing broadcast {} ({}): clients of other nodes miss it", dropped.sequence, why);
    }
  }
  remove(entries_.begin());
}

void BroadcastOutbox::remove(std::deque<Entry>::iterator entry) {
  bytes_ -= footprint(entry->text);
  entries_.erase(entry);
}

// At most one line every few seconds of each kind: a flood drops an entry per broadcast.
bool BroadcastOutbox::may_log(Clock::time_point& last) {
  auto const now = Clock::now();
  if (now - last < drop_log_every) return false;
  last = now;
  return true;
}

}  // namespace wshub
