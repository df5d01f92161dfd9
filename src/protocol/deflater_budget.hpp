// How many connections may hold a deflater of their own (context takeover) at once, process-wide.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>

#include "protocol/message_deflater.hpp"

namespace wshub {

// Lends connections deflaters that keep their history between messages, at most max_live at a time, so that the
// memory of context takeover is bounded whatever the number of busy connections. Safe to call from any thread.
class DeflaterBudget {
 public:
  // Returns the deflater's slot to the budget when the deflater is destroyed.
  struct GiveBack {
    DeflaterBudget* budget = nullptr;
    void operator()(MessageDeflater* deflater) const;
  };
  using OwnDeflater = std::unique_ptr<MessageDeflater, GiveBack>;

  explicit DeflaterBudget(std::size_t max_live) : max_live_(max_live) {}
  DeflaterBudget(DeflaterBudget const&) = delete;
  DeflaterBudget& operator=(DeflaterBudget const&) = delete;

  // A new deflater (level, window_bits, mem_level as MessageDeflater's), or null when max_live are lent already.
  OwnDeflater lend(int level, int window_bits, int mem_level);
  std::size_t live() const { return live_.load(std::memory_order_relaxed); }
  std::size_t max_live() const { return max_live_; }

 private:
  std::size_t const max_live_;
  std::atomic<std::size_t> live_{0};
};

}  // namespace wshub
