// The one clock the load generator times everything with, and the conversions its reports need.
#pragma once

#include <chrono>

namespace loadgen {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;

inline Clock::duration from_seconds(double seconds) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

inline double to_seconds(Clock::duration duration) {
  return std::chrono::duration<double>(duration).count();
}

inline double to_microseconds(Clock::duration duration) {
  return std::chrono::duration<double, std::micro>(duration).count();
}

}  // namespace loadgen
