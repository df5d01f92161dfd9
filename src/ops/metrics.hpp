// The server's counters: added to by every thread, read by GET /metrics.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace wshub {

enum class Counter : std::size_t {
  connections_accepted,
  connections_duplicate_id,
  connections_invalid_id,
  connections_shutting_down,
  connections_over_limit,
  messages_received,
  message_bytes_received,
  messages_sent,
  message_bytes_sent,
  deflate_bytes_received,       // text of messages from clients that negotiated permessage-deflate
  deflate_wire_bytes_received,  // the same messages' payloads as they arrived, compressed or not
  deflate_bytes_sent,           // text of messages to clients that negotiated permessage-deflate
  deflate_wire_bytes_sent,      // the same messages' payloads as they went out, compressed or not
  broadcasts,
  broadcast_deliveries,
  sends,
  send_deliveries,
  disconnect_requests,
  disconnects_normal,
  disconnects_error,
  disconnects_slow_consumer,
  disconnects_idle_timeout,
  disconnects_message_too_big,
  disconnects_shutdown,
  disconnects_application,
  http_requests,
  http_rejected_bad_request,
  http_rejected_body_too_large,
  http_rejected_headers_too_large,
  http_rejected_request_timeout,
  http_rejected_unauthorized,
  http_rejected_forbidden_origin,
  redis_outages,
  cluster_late_counts,
  cluster_replay_gaps,
  cluster_republished,     // broadcasts published again after a reconnection: cut off, or not yet on a replica
  cluster_outbox_dropped,  // broadcasts dropped from the outbox unpublished or unconfirmed: too old, or over its bound
  tls_reloads_loaded,
  tls_reloads_failed,
  tls_handshakes_full,
  tls_handshakes_resumed,    // with a session ticket
  tls_handshakes_failed,     // refused: not TLS, no version or cipher in common, a bad message
  tls_handshakes_abandoned,  // the client left before finishing it
  tls_handshakes_timed_out,  // not finished within REQUEST_TIMEOUT_SEC
  count_,                    // the number of counters, not a counter
};

// Thread-safe. Each thread adds to its own shard (a cache line apart from the others), so the echo path of one
// I/O thread never waits for another's; a read sums the shards.
class Metrics {
 public:
  void add(Counter counter, std::uint64_t amount = 1);
  std::uint64_t total(Counter counter) const;

  // The serving TLS certificate's notAfter in seconds since the Unix epoch; 0 while the port speaks plain HTTP.
  void set_tls_certificate_expiry(std::int64_t unix_seconds);
  std::int64_t tls_certificate_expiry() const;

 private:
  static constexpr std::size_t shard_count = 16;  // threads beyond this share shards, which stays correct

  struct alignas(64) Shard {
    std::array<std::atomic<std::uint64_t>, static_cast<std::size_t>(Counter::count_)> values{};
  };

  std::array<Shard, shard_count> shards_{};
  std::atomic<std::int64_t> tls_certificate_expiry_{0};
};

}  // namespace wshub
