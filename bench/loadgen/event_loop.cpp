// A one-thread epoll loop: it wakes the handlers whose sockets are ready, and lets them write what they queued.
#include "event_loop.hpp"

#include <cerrno>
#include <system_error>

namespace loadgen {
namespace {

int whole_milliseconds_rounded_up(Clock::duration duration) {
  if (duration <= Clock::duration::zero()) return 0;
  return static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(duration).count());
}

}  // namespace

EventLoop::EventLoop() : epoll_(epoll_create1(EPOLL_CLOEXEC)) {
  if (!epoll_.valid()) throw std::system_error(errno, std::system_category(), "epoll_create1");
}

void EventLoop::watch(int fd, std::uint32_t events, EventHandler& handler) {
  control(EPOLL_CTL_ADD, fd, events, handler);
}

void EventLoop::change(int fd, std::uint32_t events, EventHandler& handler) {
  control(EPOLL_CTL_MOD, fd, events, handler);
}

void EventLoop::control(int operation, int fd, std::uint32_t events, EventHandler& handler) {
  epoll_event event{};
  event.events = events;
  event.data.ptr = &handler;
  if (epoll_ctl(epoll_.get(), operation, fd, &event) != 0) {
    throw std::system_error(errno, std::system_category(), "epoll_ctl");
  }
}

void EventLoop::poll(Clock::duration timeout) {
  // Write what was queued since the last wait (by the handlers, or by the scenario between polls) before waiting.
  run_flushes();
  const int count =
      epoll_wait(epoll_.get(), ready_.data(), static_cast<int>(ready_.size()), whole_milliseconds_rounded_up(timeout));
  if (count < 0 && errno != EINTR) throw std::system_error(errno, std::system_category(), "epoll_wait");
  for (int i = 0; i < count; ++i) {
    static_cast<EventHandler*>(ready_[i].data.ptr)->on_ready(ready_[i].events);
  }
}

void EventLoop::run_flushes() {
  // Flushes asked for while flushing wait for the next poll; swapping keeps both lists' memory.
  flushing_.swap(flushes_);
  for (EventHandler* handler : flushing_) handler->on_flush();
  flushing_.clear();
}

bool EventLoop::run_until(TimePoint deadline, const std::function<bool()>& done) {
  while (!done()) {
    const TimePoint now = Clock::now();
    if (now >= deadline) return false;
    poll(deadline - now);
  }
  return true;
}

void EventLoop::run_for(Clock::duration duration) {
  run_until(Clock::now() + duration, [] { return false; });
}

}  // namespace loadgen
