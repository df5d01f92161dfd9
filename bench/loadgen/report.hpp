// A scenario's results: a readable table on stdout, then one "RESULT {json}" line for bench/run.py.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <variant>
#include <vector>

#include "check_log.hpp"

namespace loadgen {

// A reading from /proc (KiB, files) as a report's number; empty stays empty.
inline std::optional<double> as_number(std::optional<std::int64_t> value) {
  if (!value) return std::nullopt;
  return static_cast<double>(*value);
}

class Report {
 public:
  Report(std::string scenario, std::string label);

  // `key` names the JSON field (snake_case, unit last: "rtt_p99_us"); `title` names the table row.
  void add_count(std::string key, std::string title, std::size_t value);
  void add_number(std::string key, std::string title, double value);
  // An empty value (no --server-pid, say) is null in JSON and "n/a" in the table.
  void add_number(std::string key, std::string title, std::optional<double> value);

  // Adds the number of failed checks, prints the report and the failures (on stderr); returns the exit status.
  int publish(const CheckLog& checks, std::ostream& out, std::ostream& err);

 private:
  using Value = std::variant<std::monostate, std::size_t, double>;
  struct Entry {
    std::string key;
    std::string title;
    Value value;
  };

  void print_table(std::ostream& out) const;
  void print_result_line(std::ostream& out) const;

  std::string scenario_;
  std::string label_;
  std::vector<Entry> entries_;
};

}  // namespace loadgen
