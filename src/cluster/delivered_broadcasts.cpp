// One map entry per origin, looked up on every broadcast from another node.
#include "cluster/delivered_broadcasts.hpp"

#include <iterator>

namespace wshub {

bool DeliveredBroadcasts::first_delivery(std::string_view origin, std::uint64_t sequence) {
  auto const now = Clock::now();
  auto found = newest_.find(origin);
  if (found == newest_.end()) {
    forget_silent_origins(now);
    newest_.emplace(std::string(origin), Newest{.sequence = sequence, .seen = now});
    return true;
  }
  found->second.seen = now;
  if (sequence <= found->second.sequence) return false;
  found->second.sequence = sequence;
  return true;
}

// Only when a new origin appears: the map changes size then and no more often.
void DeliveredBroadcasts::forget_silent_origins(Clock::time_point now) {
  std::erase_if(newest_, [this, now](auto const& origin) { return now - origin.second.seen > forget_after_; });
}

}  // namespace wshub
