// The settings every scenario shares: which server, what to call it, how long to warm up and to wait at most.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace loadgen {

struct CommonOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8000;
  // The server's process, for its CPU time, memory and open files; without it those figures are null.
  std::optional<pid_t> server_pid;
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
