// Reads a process's CPU time, memory and open files from /proc, to turn load into cost per message.
#include "process_probe.hpp"

#include <unistd.h>

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

}  // namespace

std::optional<std::int64_t> ProcessProbe::cpu_time_us() const {
  if (!pid_) return std::nullopt;
  const std::string stat = read_whole_file(proc_path(*pid_, "stat"));
  // The command name (field 2) may hold spaces, so start after the ')' that ends it, skip the 11 fields from state
  // (3) to cmajflt (13), and read utime and stime (14 and 15).
  std::istringstream fields(stat.substr(stat.rfind(')') + 1));
  std::string field;
  for (int skipped = 0; skipped < 11; ++skipped) fields >> field;
  std::int64_t user_ticks = 0;
  std::int64_t system_ticks = 0;
  fields >> user_ticks >> system_ticks;
  static const std::int64_t ticks_per_second = sysconf(_SC_CLK_TCK);
  return (user_ticks + system_ticks) * 1'000'000 / ticks_per_second;
}

std::optional<std::int64_t> ProcessProbe::rss_kib() const {
  if (!pid_) return std::nullopt;
  std::istringstream status(read_whole_file(proc_path(*pid_, "status")));
  for (std::string line; std::getline(status, line);) {
    if (line.starts_with("VmRSS:")) return std::stoll(line.substr(6));
  }
  throw std::runtime_error("no VmRSS in " + proc_path(*pid_, "status"));
}

std::optional<std::int64_t> ProcessProbe::open_fds() const {
  if (!pid_) return std::nullopt;
  const std::filesystem::directory_iterator entries(proc_path(*pid_, "fd"));
  return std::distance(begin(entries), end(entries));
}

std::optional<double> CpuWindow::us_per(double units) const {
  if (!start_us_ || !stop_us_ || units <= 0) return std::nullopt;
  return static_cast<double>(*stop_us_ - *start_us_) / units;
}

}  // namespace loadgen
