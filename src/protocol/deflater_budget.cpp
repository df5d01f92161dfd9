// Counts the deflaters lent to connections against a process-wide bound.
#include "protocol/deflater_budget.hpp"

namespace wshub {

void DeflaterBudget::GiveBack::operator()(MessageDeflater* deflater) const {
  delete deflater;
  budget->live_.fetch_sub(1, std::memory_order_relaxed);
}

DeflaterBudget::OwnDeflater DeflaterBudget::lend(int level, int window_bits, int mem_level) {
  // Taken before the deflater is made, so that threads racing for the last slot cannot both get one.
  std::size_t live = live_.load(std::memory_order_relaxed);
  do {
    if (live >= max_live_) return OwnDeflater(nullptr, GiveBack{this});
  } while (!live_.compare_exchange_weak(live, live + 1, std::memory_order_relaxed));
  try {
    return OwnDeflater(new MessageDeflater(level, window_bits, mem_level), GiveBack{this});
  } catch (...) {
    live_.fetch_sub(1, std::memory_order_relaxed);
    throw;
  }
}

}  // namespace wshub
