// Counts the checks that failed and keeps the first few descriptions for stderr.
#include "check_log.hpp"

namespace loadgen {

void CheckLog::fail(std::string what) {
  ++failures_;
  if (first_failures_.size() < kKeptFailures) first_failures_.push_back(std::move(what));
}

void CheckLog::print(std::ostream& out) const {
  for (const std::string& failure : first_failures_) out << "check failed: " << failure << '\n';
  if (failures_ > first_failures_.size()) {
    out << "... and " << failures_ - first_failures_.size() << " more failed checks\n";
  }
}

}  // namespace loadgen
