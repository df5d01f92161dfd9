// Reads processes' CPU time, memory and open files from /proc, summed over them, to turn load into cost per message.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace loadgen {

class ProcessProbe {
 public:
  // Several processes (the nodes of a cluster) are read as one: every reading is their sum. Without a pid every
  // reading is empty, so a scenario runs the same with or without --server-pid.
  explicit ProcessProbe(std::vector<pid_t> pids) : pids_(std::move(pids)) {}

  // User plus system time of all their threads so far (/proc/PID/task/*/schedstat, nanosecond resolution), in
  // microseconds. Readings throw std::runtime_error once a process is gone.
  std::optional<std::int64_t> cpu_time_us() const;
  // Resident memory (VmRSS in /proc/PID/status).
  std::optional<std::int64_t> rss_kib() const;
  // Entries in /proc/PID/fd.
  std::optional<std::int64_t> open_fds() const;

 private:
  std::vector<pid_t> pids_;
};

// The CPU time a process spends between start() and stop(), shared out per unit of work.
class CpuWindow {
 public:
  explicit CpuWindow(const ProcessProbe& probe) : probe_(probe) {}

  void start() { start_us_ = probe_.cpu_time_us(); }
  void stop() { stop_us_ = probe_.cpu_time_us(); }
  // Microseconds of CPU per unit (message, handshake); empty without a pid or without units.
  std::optional<double> us_per(double units) const;

 private:
  const ProcessProbe& probe_;
  std::optional<std::int64_t> start_us_;
  std::optional<std::int64_t> stop_us_;
};

}  // namespace loadgen
