// When a WebSocket connection writes, stops reading and drops a slow consumer, by the backlog behind its socket:
// plain decisions, no I/O.
#pragma once

#include <cstddef>

namespace wshub {

// The backlog is WriteQueue::backlog_bytes(). Only an open connection is held to the cap: a closing one is sent
// nothing new, and what it reads is only looked at for the client's close frame.
class FlowControl {
 public:
  // Where a broadcast for this client goes.
  enum class Broadcast {
    slow_consumer,       // over the cap: the client is dropped instead
    straight_to_socket,  // nothing waits: one plain send, no queue
    behind_queue,        // something waits (queued, or the socket is full): it lines up behind it
  };

  explicit FlowControl(std::size_t max_backpressure_bytes) : max_backpressure_bytes_(max_backpressure_bytes) {}

  // Measured before adding: one message larger than the cap may go out when little else waits.
  bool is_over_cap(std::size_t backlog_bytes, bool open) const;
  Broadcast route_broadcast(std::size_t backlog_bytes, bool queue_empty, bool open) const;

  // After a read was handled: whether reading stops (the client's bytes wait in its socket, and TCP stops it).
  bool pause_reading_if_over_cap(std::size_t backlog_bytes, bool open);
  // After a write: whether reading, paused, resumes now.
  bool resume_reading_if_drained(std::size_t backlog_bytes);
  bool is_reading_paused() const { return reading_paused_; }

  // The socket took less than it was given: nothing more is written until it reports that it is writable.
  void wait_writable() { waiting_writable_ = true; }
  void writable() { waiting_writable_ = false; }
  bool may_write() const { return !waiting_writable_; }

 private:
  std::size_t max_backpressure_bytes_;
  bool waiting_writable_ = false;
  bool reading_paused_ = false;
};

}  // namespace wshub
