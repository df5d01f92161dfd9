// Collects latencies and summarises them as percentiles.
#include "latency_samples.hpp"

#include <algorithm>
#include <cmath>

namespace loadgen {

void LatencySamples::add(Clock::duration latency) {
  nanoseconds_.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(latency).count());
  sorted_ = false;
}

double LatencySamples::percentile_us(double fraction) {
  if (nanoseconds_.empty()) return 0;
  if (!sorted_) std::ranges::sort(nanoseconds_);
  sorted_ = true;
  const auto rank = static_cast<std::size_t>(std::ceil(fraction * static_cast<double>(nanoseconds_.size())));
  return static_cast<double>(nanoseconds_[std::clamp<std::size_t>(rank, 1, nanoseconds_.size()) - 1]) / 1000.0;
}

}  // namespace loadgen
