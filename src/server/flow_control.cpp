// Backpressure's decisions: the cap, where a broadcast goes, when reading stops and when it starts again.
#include "server/flow_control.hpp"

namespace wshub {

bool FlowControl::is_over_cap(std::size_t backlog_bytes, bool open) const {
  return open && backlog_bytes > max_backpressure_bytes_;
}

FlowControl::Broadcast FlowControl::route_broadcast(std::size_t backlog_bytes, bool queue_empty, bool open) const {
  if (is_over_cap(backlog_bytes, open)) return Broadcast::slow_consumer;
  if (!queue_empty || waiting_writable_) return Broadcast::behind_queue;
  return Broadcast::straight_to_socket;
}

bool FlowControl::pause_reading_if_over_cap(std::size_t backlog_bytes, bool open) {
  if (!is_over_cap(backlog_bytes, open)) return false;
  reading_paused_ = true;
  return true;
}

bool FlowControl::resume_reading_if_drained(std::size_t backlog_bytes) {
  // Half the cap, so that a client reading slowly does not flip between paused and read for every write.
  if (!reading_paused_ || backlog_bytes > max_backpressure_bytes_ / 2) return false;
  reading_paused_ = false;
  return true;
}

}  // namespace wshub
