// Writes the server's metrics in Prometheus's text exposition format (version 0.0.4) for GET /metrics.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "ops/metrics.hpp"
#include "ops/process_stats.hpp"

namespace wshub {

inline constexpr std::string_view exposition_content_type = "text/plain; version=0.0.4; charset=utf-8";

// The figures that are states rather than counts.
struct ServerGauges {
  std::size_t connected_clients = 0;
  bool shutting_down = false;
  std::optional<bool> redis_connected;  // only for a node in a cluster
  std::string redis_primary = {};       // behind Sentinel: the primary's HOST:PORT
};

std::string prometheus_exposition(Metrics const& metrics, ServerGauges const& gauges, ProcessStats const& process);

}  // namespace wshub
