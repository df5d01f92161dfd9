// What the kernel says about this process: memory, file descriptors, CPU time, start time.
#pragma once

namespace wshub {

// Figures as Prometheus's process_* metrics name them, in base units (bytes, seconds).
struct ProcessStats {
  double resident_memory_bytes = 0;
  double virtual_memory_bytes = 0;
  double open_fds = 0;
  double max_fds = 0;
  double cpu_seconds = 0;
  double start_time_seconds = 0;  // since the Unix epoch
};

// Reads /proc/self; a figure that cannot be read stays 0.
ProcessStats read_process_stats();

}  // namespace wshub
