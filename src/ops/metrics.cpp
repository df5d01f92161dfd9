// Sharded counters: a relaxed atomic add on the calling thread's own cache line; the certificate expiry, one atomic.
#include "ops/metrics.hpp"

namespace wshub {
namespace {

// Each thread takes the next shard the first time it counts anything.
std::size_t this_thread_shard(std::size_t shard_count) {
  static std::atomic<std::size_t> next_shard{0};
  thread_local std::size_t const shard = next_shard.fetch_add(1, std::memory_order_relaxed);
  return shard % shard_count;
}

}  // namespace

void Metrics::add(Counter counter, std::uint64_t amount) {
  // Relaxed: a scrape needs each total, not an order between them.
  shards_[this_thread_shard(shard_count)].values[static_cast<std::size_t>(counter)].fetch_add(
      amount, std::memory_order_relaxed);
}

std::uint64_t Metrics::total(Counter counter) const {
  std::uint64_t sum = 0;
  for (auto const& shard : shards_)
    sum += shard.values[static_cast<std::size_t>(counter)].load(std::memory_order_relaxed);
  return sum;
}

void Metrics::set_tls_certificate_expiry(std::int64_t unix_seconds) {
  tls_certificate_expiry_.store(unix_seconds, std::memory_order_relaxed);
}

std::int64_t Metrics::tls_certificate_expiry() const {
  return tls_certificate_expiry_.load(std::memory_order_relaxed);
}

}  // namespace wshub
