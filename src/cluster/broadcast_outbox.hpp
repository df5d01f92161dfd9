// This node's broadcasts that other nodes' clients may still miss: not published yet (cut off from Redis), or
// published but not yet on a replica. Kept to be published again after a reconnection or a failover.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <string>

#include "ops/metrics.hpp"

namespace wshub {

// Bounded twice: an entry older than max_age (REDIS_REPLAY_SEC: a reconnected reader could not catch up on it any
// more either) or one that would take the outbox past max_bytes (REDIS_OUTBOX_BYTES, each entry counted with its
// bookkeeping) drops the oldest: counted and logged as lost if it was never published, logged as at risk if it was
// published and only no replica had acknowledged it. In sequence order throughout. Runs on the backplane's executor.
class BroadcastOutbox {
 public:
  using Clock = std::chrono::steady_clock;
  struct Entry {
    std::uint64_t sequence;
    std::string text;
    Clock::time_point accepted;
    bool published = false;  // Redis answered the publish on the current connection
  };

  BroadcastOutbox(std::chrono::milliseconds max_age, std::size_t max_bytes, Metrics& metrics);

  void add(std::uint64_t sequence, std::string text);
  // Redis has it in the stream (it may still be lost in a failover: see confirm_published).
  void mark_published(std::uint64_t sequence);
  // Redis refused it (an error reply on a live connection: out of memory, a replica written to): it was not stored,
  // and sent again after later ones it would arrive after them, so it is given up, logged and counted.
  void give_up(std::uint64_t sequence, std::string const& why);
  // The highest sequence marked published, or 0.
  std::uint64_t last_published() const;
  // Every entry up to `through` that was marked published is safe (on a replica, or there is none to fail over to).
  void confirm_published(std::uint64_t through);
  // A new connection: nothing is known to be in its stream. Returns what to publish again, oldest first, after
  // dropping what has grown too old.
  std::deque<Entry> const& to_publish_again();

  // What an entry with this text counts against max_bytes.
  static std::size_t footprint(std::string const& text) { return sizeof(Entry) + text.size(); }

  std::size_t size() const { return entries_.size(); }
  std::size_t bytes() const { return bytes_; }

 private:
  std::deque<Entry>::iterator find(std::uint64_t sequence);
  void drop_expired();
  void drop_front(char const* why);
  void remove(std::deque<Entry>::iterator entry);
  bool may_log(Clock::time_point& last);

  std::chrono::milliseconds const max_age_;
  std::size_t const max_bytes_;
  Metrics& metrics_;
  std::deque<Entry> entries_;
  std::size_t bytes_ = 0;
  Clock::time_point last_lost_log_;
  Clock::time_point last_at_risk_log_;
};

}  // namespace wshub
