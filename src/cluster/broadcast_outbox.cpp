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
  while (!entries_.empty() && bytes_ + text.size() > max_bytes_) drop_front("REDIS_OUTBOX_BYTES is full");
  bytes_ += text.size();
  entries_.push_back({.sequence = sequence, .text = std::move(text), .accepted = Clock::now(), .published = false});
}

void BroadcastOutbox::mark_published(std::uint64_t sequence) {
  auto const found = std::ranges::lower_bound(entries_, sequence, {}, &Entry::sequence);
  if (found != entries_.end() && found->sequence == sequence) found->published = true;
}

std::uint64_t BroadcastOutbox::last_published() const {
  auto const found = std::ranges::find_if(entries_.rbegin(), entries_.rend(), &Entry::published);
  return found == entries_.rend() ? 0 : found->sequence;
}

// An entry whose publish failed (an error reply) stays, and so do the ones after it: they go again together.
void BroadcastOutbox::confirm_published(std::uint64_t through) {
  while (!entries_.empty() && entries_.front().published && entries_.front().sequence <= through) {
    bytes_ -= entries_.front().text.size();
    entries_.pop_front();
  }
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
  metrics_.add(Counter::cluster_outbox_dropped);
  if (auto const now = Clock::now(); now - last_drop_log_ >= drop_log_every) {
    last_drop_log_ = now;
    log_event(spdlog::level::err, {{"sequence", dropped.sequence}},
              "cluster: gave up publishing broadcast {} ({}): clients of other nodes may miss it", dropped.sequence,
              why);
  }
  bytes_ -= dropped.text.size();
  entries_.pop_front();
}

}  // namespace wshub
