// A one-thread epoll loop: it wakes the handlers whose sockets are ready, and lets them write what they queued.
#pragma once

#include <sys/epoll.h>

#include <array>
#include <cstdint>
#include <functional>
#include <vector>

#include "clock.hpp"
#include "unique_fd.hpp"

namespace loadgen {

class EventHandler {
 public:
  virtual ~EventHandler() = default;
  // `events` are the epoll flags (EPOLLIN, EPOLLOUT, EPOLLERR, ...) ready on the handler's socket.
  virtual void on_ready(std::uint32_t events) = 0;
  // Runs once, before the loop next waits, for a handler that asked for it: a handler that queued many messages
  // in one iteration writes them all with one system call.
  virtual void on_flush() = 0;
};

class EventLoop {
 public:
  EventLoop();

  // Level-triggered interest in `events` on `fd`. A socket leaves the loop by itself when it is closed.
  void watch(int fd, std::uint32_t events, EventHandler& handler);
  void change(int fd, std::uint32_t events, EventHandler& handler);

  void request_flush(EventHandler& handler) { flushes_.push_back(&handler); }

  // Runs the flushes asked for, then waits up to `timeout` for ready sockets and handles them.
  void poll(Clock::duration timeout);
  // Polls until `done()` holds or `deadline` passes; returns whether `done()` held.
  bool run_until(TimePoint deadline, const std::function<bool()>& done);
  void run_for(Clock::duration duration);

 private:
  void control(int operation, int fd, std::uint32_t events, EventHandler& handler);
  void run_flushes();

  UniqueFd epoll_;
  std::array<epoll_event, 1024> ready_{};
  std::vector<EventHandler*> flushes_;
  std::vector<EventHandler*> flushing_;
};

}  // namespace loadgen
