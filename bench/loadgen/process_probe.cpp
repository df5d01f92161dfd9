// Reads processes' CPU time, memory and open files from /proc, summed over them, to turn load into cost per message.
#include "process_probe.hpp"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <string>

namespace loadgen {
namespace {

std::string proc_path(pid_t pid, const char* entry) {
  return "/proc/" + std::to_string(pid) + "/" + entry;
}

std::string read_whole_file(const std::string& path) {
  std::ifstream file(path);
  if (!file) throw std::runtime_error("cannot read " + path + ": has the process ended?");
  return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

// The first field of /proc/PID/task/TID/schedstat is the time the thread has run, user and system, in nanoseconds:
// the same time /proc/PID/stat's utime + stime come from, but not cut to 10 ms ticks, which would swamp a process
// that works a few milliseconds in a window (Redis during fifty broadcasts).
std::int64_t cpu_time_us_of(pid_t pid) {
  std::int64_t total_ns = 0;
  for (const auto& thread : std::filesystem::directory_iterator(proc_path(pid, "task"))) {
    std::istringstream fields(read_whole_file((thread.path() / "schedstat").string()));
    std::int64_t run_ns = 0;
    fields >> run_ns;
    total_ns += run_ns;
  }
  return total_ns / 1'000;
}

std::int64_t rss_kib_of(pid_t pid) {
  std::istringstream status(read_whole_file(proc_path(pid, "status")));
  for (std::string line; std::getline(status, line);) {
    if (line.starts_with("VmRSS:")) return std::stoll(line.substr(6));
  }
  throw std::runtime_error("no VmRSS in " + proc_path(pid, "status"));
}

std::int64_t open_fds_of(pid_t pid) {
  const std::filesystem::directory_iterator entries(proc_path(pid, "fd"));
  return std::distance(begin(entries), end(entries));
}

// `read(pid)` summed over the processes; empty without any.
std::optional<std::int64_t> sum_over(const std::vector<pid_t>& pids, std::int64_t (*read)(pid_t)) {
  if (pids.empty()) return std::nullopt;
  std::int64_t total = 0;
  for (const pid_t pid : pids) total += read(pid);
  return total;
}

}  // namespace

std::optional<std::int64_t> ProcessProbe::cpu_time_us() const {
  return sum_over(pids_, cpu_time_us_of);
}

std::optional<std::int64_t> ProcessProbe::rss_kib() const {
  return sum_over(pids_, rss_kib_of);
}

std::optional<std::int64_t> ProcessProbe::open_fds() const {
  return sum_over(pids_, open_fds_of);
}

std::optional<double> CpuWindow::us_per(double units) const {
  if (!start_us_ || !stop_us_ || units <= 0) return std::nullopt;
  return static_cast<double>(*stop_us_ - *start_us_) / units;
}

}  // namespace loadgen
