// One table maps every counter to its metric family and label; the text is written from it.
#include "ops/metrics_exposition.hpp"

#include <array>
#include <string_view>

#include <spdlog/fmt/fmt.h>

#include "build_commit.hpp"
#include "version.hpp"

namespace wshub {
namespace {

struct Family {
  std::string_view name;
  std::string_view type;
  std::string_view help;
};

struct Sample {
  Counter counter;
  Family const& family;
  std::string_view label;  // `name="value"`, or empty
};

constexpr Family connections{"wshub_connections_total", "counter", "WebSocket connection attempts by outcome."};
constexpr Family received_messages{"wshub_received_messages_total", "counter", "Text messages received from clients."};
constexpr Family received_bytes{"wshub_received_bytes_total", "counter", "Payload bytes of messages received."};
constexpr Family sent_messages{"wshub_sent_messages_total", "counter",
                               "Text messages sent to clients (echoes, broadcast and send deliveries)."};
constexpr Family sent_bytes{"wshub_sent_bytes_total", "counter", "Payload bytes of messages sent."};
constexpr Family deflate_bytes{
    "wshub_deflate_message_bytes_total", "counter",
    "Text bytes of messages to and from clients that negotiated permessage-deflate, before compression."};
constexpr Family deflate_wire_bytes{
    "wshub_deflate_wire_bytes_total", "counter",
    "Payload bytes on the wire of the same messages, after compression (a message too short to compress counts as "
    "it is)."};
constexpr Family broadcasts{"wshub_broadcasts_total", "counter", "Broadcasts accepted by POST /broadcast-to-all."};
constexpr Family deliveries{"wshub_broadcast_deliveries_total", "counter", "Clients each broadcast was queued to."};
constexpr Family sends{"wshub_sends_total", "counter",
                       "Targeted sends accepted by POST /clients/{clientId}/send and POST /send-to-clients."};
constexpr Family send_deliveries{"wshub_send_deliveries_total", "counter", "Clients each targeted send was queued to."};
constexpr Family disconnect_requests{"wshub_disconnect_requests_total", "counter",
                                     "Clients closed by DELETE /clients/{clientId}."};
constexpr Family disconnects{"wshub_disconnects_total", "counter", "Clients that left the hub, by reason."};
constexpr Family http_requests{"wshub_http_requests_total", "counter", "HTTP requests answered by the API."};
constexpr Family http_rejections{"wshub_http_rejections_total", "counter",
                                 "HTTP requests and WebSocket handshakes refused, by reason."};
constexpr Family redis_outages{"wshub_redis_outages_total", "counter",
                               "Times this node lost Redis (a cluster node only)."};
constexpr Family late_counts{
    "wshub_cluster_late_counts_total", "counter",
    "Nodes that did not count a broadcast or answer a request to clients within CLUSTER_TIMEOUT_MS."};
constexpr Family tls_reloads{"wshub_tls_certificate_reloads_total", "counter",
                             "TLS certificate reloads (SIGHUP or a changed file), by result."};
constexpr Family tls_handshakes{"wshub_tls_handshakes_total", "counter",
                                "TLS handshakes on the listening port, by result: full, resumed (a session ticket), "
                                "failed (refused), abandoned (the client left), timed_out (REQUEST_TIMEOUT_SEC)."};
constexpr Family replay_gaps{"wshub_cluster_replay_gaps_total", "counter",
                             "Reconnections that found broadcasts trimmed before this node delivered them."};
constexpr Family republished{
    "wshub_cluster_broadcasts_republished_total", "counter",
    "Broadcasts this node published again after reconnecting: made while cut off, or not yet on a replica."};
constexpr Family outbox_dropped{"wshub_cluster_outbox_dropped_total", "counter",
                                "Broadcasts this node gave up publishing (older than REDIS_REPLAY_SEC, or over "
                                "REDIS_OUTBOX_BYTES): other nodes' clients may have missed them."};

// The order of the output: families stay together, as the format requires.
constexpr std::array samples{
    Sample{Counter::connections_accepted, connections, R"(outcome="accepted")"},
    Sample{Counter::connections_duplicate_id, connections, R"(outcome="duplicate_id")"},
    Sample{Counter::connections_invalid_id, connections, R"(outcome="invalid_id")"},
    Sample{Counter::connections_shutting_down, connections, R"(outcome="shutting_down")"},
    Sample{Counter::connections_over_limit, connections, R"(outcome="over_limit")"},
    Sample{Counter::messages_received, received_messages, ""},
    Sample{Counter::message_bytes_received, received_bytes, ""},
    Sample{Counter::messages_sent, sent_messages, ""},
    Sample{Counter::message_bytes_sent, sent_bytes, ""},
    Sample{Counter::deflate_bytes_received, deflate_bytes, R"(direction="received")"},
    Sample{Counter::deflate_bytes_sent, deflate_bytes, R"(direction="sent")"},
    Sample{Counter::deflate_wire_bytes_received, deflate_wire_bytes, R"(direction="received")"},
    Sample{Counter::deflate_wire_bytes_sent, deflate_wire_bytes, R"(direction="sent")"},
    Sample{Counter::broadcasts, broadcasts, ""},
    Sample{Counter::broadcast_deliveries, deliveries, ""},
    Sample{Counter::sends, sends, ""},
    Sample{Counter::send_deliveries, send_deliveries, ""},
    Sample{Counter::disconnect_requests, disconnect_requests, ""},
    Sample{Counter::disconnects_normal, disconnects, R"(reason="normal")"},
    Sample{Counter::disconnects_error, disconnects, R"(reason="error")"},
    Sample{Counter::disconnects_slow_consumer, disconnects, R"(reason="slow_consumer")"},
    Sample{Counter::disconnects_idle_timeout, disconnects, R"(reason="idle_timeout")"},
    Sample{Counter::disconnects_message_too_big, disconnects, R"(reason="message_too_big")"},
    Sample{Counter::disconnects_shutdown, disconnects, R"(reason="shutdown")"},
    Sample{Counter::disconnects_application, disconnects, R"(reason="application")"},
    Sample{Counter::http_requests, http_requests, ""},
    Sample{Counter::http_rejected_bad_request, http_rejections, R"(reason="bad_request")"},
    Sample{Counter::http_rejected_body_too_large, http_rejections, R"(reason="body_too_large")"},
    Sample{Counter::http_rejected_headers_too_large, http_rejections, R"(reason="headers_too_large")"},
    Sample{Counter::http_rejected_request_timeout, http_rejections, R"(reason="request_timeout")"},
    Sample{Counter::http_rejected_unauthorized, http_rejections, R"(reason="unauthorized")"},
    Sample{Counter::http_rejected_forbidden_origin, http_rejections, R"(reason="forbidden_origin")"},
    Sample{Counter::redis_outages, redis_outages, ""},
    Sample{Counter::cluster_late_counts, late_counts, ""},
    Sample{Counter::cluster_replay_gaps, replay_gaps, ""},
    Sample{Counter::cluster_republished, republished, ""},
    Sample{Counter::cluster_outbox_dropped, outbox_dropped, ""},
    Sample{Counter::tls_reloads_loaded, tls_reloads, R"(result="loaded")"},
    Sample{Counter::tls_reloads_failed, tls_reloads, R"(result="failed")"},
    Sample{Counter::tls_handshakes_full, tls_handshakes, R"(result="full")"},
    Sample{Counter::tls_handshakes_resumed, tls_handshakes, R"(result="resumed")"},
    Sample{Counter::tls_handshakes_failed, tls_handshakes, R"(result="failed")"},
    Sample{Counter::tls_handshakes_abandoned, tls_handshakes, R"(result="abandoned")"},
    Sample{Counter::tls_handshakes_timed_out, tls_handshakes, R"(result="timed_out")"},
};
static_assert(samples.size() == static_cast<std::size_t>(Counter::count_), "every counter is exposed");

void append_family_head(std::string& out, Family const& family) {
  fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", family.name, family.help, family.name,
                 family.type);
}

void append_sample(std::string& out, std::string_view name, std::string_view label, double value) {
  if (label.empty()) {
    fmt::format_to(std::back_inserter(out), "{} {}\n", name, value);
  } else {
    fmt::format_to(std::back_inserter(out), "{}{{{}}} {}\n", name, label, value);
  }
}

void append_gauge(std::string& out, Family const& family, double value) {
  append_family_head(out, family);
  append_sample(out, family.name, "", value);
}

void append_counters(std::string& out, Metrics const& metrics) {
  Family const* current = nullptr;
  for (auto const& sample : samples) {
    if (current != &sample.family) append_family_head(out, sample.family);
    current = &sample.family;
    append_sample(out, sample.family.name, sample.label, static_cast<double>(metrics.total(sample.counter)));
  }
}

void append_process(std::string& out, ProcessStats const& process) {
  append_gauge(out, {"process_resident_memory_bytes", "gauge", "Resident memory size in bytes."},
               process.resident_memory_bytes);
  append_gauge(out, {"process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes."},
               process.virtual_memory_bytes);
  append_gauge(out, {"process_open_fds", "gauge", "Number of open file descriptors."}, process.open_fds);
  append_gauge(out, {"process_max_fds", "gauge", "Maximum number of open file descriptors."}, process.max_fds);
  append_gauge(out, {"process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds."},
               process.cpu_seconds);
  append_gauge(out, {"process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds."},
               process.start_time_seconds);
}

}  // namespace

std::string prometheus_exposition(Metrics const& metrics, ServerGauges const& gauges, ProcessStats const& process) {
  std::string out;
  append_family_head(out, {"wshub_build_info", "gauge", "The running version of wshub and its git commit; always 1."});
  append_sample(out, "wshub_build_info", fmt::format(R"(version="{}",commit="{}")", version, build_commit), 1);
  append_gauge(out, {"wshub_connected_clients", "gauge", "WebSocket clients connected now."},
               static_cast<double>(gauges.connected_clients));
  append_gauge(out, {"wshub_shutdown_in_progress", "gauge", "1 from the first shutdown signal on, else 0."},
               gauges.shutting_down ? 1 : 0);
  if (gauges.redis_connected) {
    append_gauge(out, {"wshub_redis_connected", "gauge", "1 while this node's Redis connections are up, else 0."},
                 *gauges.redis_connected ? 1 : 0);
  }
  if (!gauges.redis_primary.empty()) {
    append_family_head(out, {"wshub_redis_primary", "gauge",
                             "The Redis primary the sentinels name, which this node connects to; always 1."});
    append_sample(out, "wshub_redis_primary", fmt::format(R"(address="{}")", gauges.redis_primary), 1);
  }
  if (auto const expiry = metrics.tls_certificate_expiry(); expiry != 0) {
    append_gauge(out,
                 {"wshub_tls_certificate_expiry_timestamp_seconds", "gauge",
                  "The notAfter of the TLS certificate new connections are given, in seconds since the Unix epoch."},
                 static_cast<double>(expiry));
  }
  append_counters(out, metrics);
  append_process(out, process);
  return out;
}

}  // namespace wshub
