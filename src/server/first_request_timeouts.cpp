// Times out the connections of one I/O thread that wait for their first request with one timer for all of them.
#include "server/first_request_timeouts.hpp"

namespace wshub {

asio::execution_context::id FirstRequestTimeouts::id;

FirstRequestTimeouts::FirstRequestTimeouts(asio::io_context& context)
    : asio::execution_context::service(context), timer_(std::in_place, context.get_executor()) {}

void FirstRequestTimeouts::wait(FirstRequestWaiter& waiter, std::chrono::steady_clock::duration timeout) {
  waiter.deadline_ = std::chrono::steady_clock::now() + timeout;
  waiters_.push_back(waiter);
  if (timer_ && !timer_->armed()) arm();
}

void FirstRequestTimeouts::shutdown() {
  // The waiters are destroyed with the context's pending handlers: they must not reach into this queue then.
  waiters_.clear();
  timer_.reset();
}

void FirstRequestTimeouts::arm() {
  if (waiters_.empty()) return;
  timer_->arm_at(waiters_.front().deadline_, [this] { on_timer(); });
}

void FirstRequestTimeouts::on_timer() {
  auto const now = std::chrono::steady_clock::now();
  while (!waiters_.empty() && waiters_.front().deadline_ <= now) {
    auto& waiter = waiters_.front();
    waiters_.pop_front();
    waiter.on_first_request_timeout();
  }
  arm();
}

}  // namespace wshub
