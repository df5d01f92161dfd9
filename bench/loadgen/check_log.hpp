// Counts the checks that failed and keeps the first few descriptions for stderr.
#pragma once

#include <cstddef>
#include <ostream>
#include <string>
#include <vector>

namespace loadgen {

class CheckLog {
 public:
  void fail(std::string what);

  bool passed() const { return failures_ == 0; }
  std::size_t failures() const { return failures_; }
  // One "check failed: ..." line per kept failure, and how many more there were.
  void print(std::ostream& out) const;

 private:
  static constexpr std::size_t kKeptFailures = 20;

  std::size_t failures_ = 0;
  std::vector<std::string> first_failures_;
};

}  // namespace loadgen
