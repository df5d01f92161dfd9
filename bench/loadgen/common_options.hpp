// The settings every scenario shares: which servers, what to call them, how long to warm up and to wait at most.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tls_client_context.hpp"

namespace loadgen {

struct CommonOptions {
  std::string host = "127.0.0.1";
  // One port, or (fanout and idle) the ports of a cluster's nodes, whose clients are spread over them in turn.
  std::vector<std::uint16_t> ports = {8000};
  // The server's processes (one per node), for their CPU time, memory and open files, summed; without them those
  // figures are null.
  std::vector<pid_t> server_pids;
  // The cluster's Redis, for its CPU time, reported apart from the servers' (fanout and idle); null without it.
  std::optional<pid_t> redis_pid;
  // Speak TLS (wss:// and https://) to every server, with tls_options; plain without.
  bool tls = false;
  TlsClientOptions tls_options;
  // The server's name in the outputs.
  std::string label = "server";
  // Load before the measurement starts, for the scenarios that have a steady state (echo, fanout, churn).
  double warmup_seconds = 1.0;
  // The longest any one step may take (opening all clients, one fan-out round, the RSS to settle...).
  double timeout_seconds = 60.0;
};

// Upgrades in flight at once while a crowd of clients connects; about what a busy server's accept backlog holds.
constexpr std::size_t kMaxPendingHandshakes = 256;

}  // namespace loadgen
