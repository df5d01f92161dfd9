// Collects latencies and summarises them as percentiles.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "clock.hpp"

namespace loadgen {

class LatencySamples {
 public:
  void reserve(std::size_t count) { nanoseconds_.reserve(count); }
  void add(Clock::duration latency);
  void clear() { nanoseconds_.clear(); }
  std::size_t count() const { return nanoseconds_.size(); }

  // The nearest-rank percentile, `fraction` in (0, 1], in microseconds; 0 without samples.
  double percentile_us(double fraction);
  double max_us() { return percentile_us(1.0); }

 private:
  std::vector<std::int64_t> nanoseconds_;
  bool sorted_ = true;
};

}  // namespace loadgen
