// Reads /proc/self/stat, /proc/stat and /proc/self/fd, as Prometheus's client libraries do.
#include "ops/process_stats.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace wshub {
namespace {

// The fields of /proc/self/stat after the command name, which is in parentheses and may itself hold spaces.
// fields[0] is field 3 of proc(5) (the state).
std::vector<std::string> own_stat_fields() {
  std::ifstream file("/proc/self/stat");
  std::string line;
  std::getline(file, line);
  std::istringstream rest(line.substr(line.rfind(')') + 1));
  std::vector<std::string> fields;
  for (std::string field; rest >> field;) fields.push_back(field);
  return fields;
}

double field_number(std::vector<std::string> const& fields, std::size_t proc_field) {
  std::size_t const index = proc_field - 3;
  return index < fields.size() ? std::stod(fields[index]) : 0;
}

// The boot time from /proc/stat: the process start time in /proc/self/stat counts from it.
double boot_time_seconds() {
  std::ifstream file("/proc/stat");
  for (std::string line; std::getline(file, line);) {
    if (line.starts_with("btime ")) return std::stod(line.substr(6));
  }
  return 0;
}

double open_file_descriptors() {
  std::error_code error;
  double count = 0;
  for (std::filesystem::directory_iterator it("/proc/self/fd", error), end; !error && it != end; it.increment(error)) {
    ++count;
  }
  return count > 0 ? count - 1 : 0;  // the directory being listed is itself an open descriptor
}

}  // namespace

ProcessStats read_process_stats() {
  auto const fields = own_stat_fields();
  auto const ticks_per_second = static_cast<double>(sysconf(_SC_CLK_TCK));
  auto const page_bytes = static_cast<double>(sysconf(_SC_PAGESIZE));
  rlimit files{};
  getrlimit(RLIMIT_NOFILE, &files);
  return {
      .resident_memory_bytes = field_number(fields, 24) * page_bytes,
      .virtual_memory_bytes = field_number(fields, 23),
      .open_fds = open_file_descriptors(),
      .max_fds = static_cast<double>(files.rlim_cur),
      .cpu_seconds = (field_number(fields, 14) + field_number(fields, 15)) / ticks_per_second,
      .start_time_seconds = boot_time_seconds() + field_number(fields, 22) / ticks_per_second,
  };
}

}  // namespace wshub
