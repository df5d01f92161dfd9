// Reads a process's CPU time, memory and open files from /proc, to turn load into cost per message.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>

namespace loadgen {

class ProcessProbe {
 public:
  // Without a pid every reading is empty, so a scenario runs the same with or without --server-pid.
  explicit ProcessProbe(std::optional<pid_t> pid) : pid_(pid) {}

  // User plus system time of all its threads so far (/proc/PID/stat), in microseconds, to clock-tick resolution.
  // Readings throw std::runtime_error once the process is gone.
  std::optional<std::int64_t> cpu_time_us() const;
  // Resident memory (VmRSS in /proc/PID/status).
  std::optional<std::int64_t> rss_kib() const;
  // Entries in /proc/PID/fd.
  std::optional<std::int64_t> open_fds() const;

 private:
  std::optional<pid_t> pid_;
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
