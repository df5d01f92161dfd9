// Times out the connections of one I/O thread that wait for their first request with one timer for all of them,
// instead of a timer of their own (a timer queue insertion, a removal and usually a timerfd_settime per connection).
#pragma once

#include <chrono>
#include <optional>

#include <boost/asio/execution_context.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/intrusive/list.hpp>

#include "async/ticked_timer.hpp"
#include "protocol/net.hpp"
#include "server/connection_types.hpp"

namespace wshub {

// A connection waiting for its first request: in its thread's queue while it waits, out of it at once when it is
// destroyed.
class FirstRequestWaiter
    : public boost::intrusive::list_base_hook<boost::intrusive::link_mode<boost::intrusive::auto_unlink>> {
 public:
  // The wait has lasted its timeout; called on the waiter's thread, once, after it has left the queue.
  virtual void on_first_request_timeout() = 0;

 protected:
  ~FirstRequestWaiter() = default;

 private:
  friend class FirstRequestTimeouts;
  std::chrono::steady_clock::time_point deadline_;
};

// An io_context service: one per I/O thread, reached with FirstRequestTimeouts::of(context). Every wait on one
// context has the same timeout, so the queue is in deadline order: the timer is armed for the oldest waiter only,
// and only when it fires or the queue was empty, so a connection that gets its request in time costs two pointer
// updates.
//
// The timer's completion holds a plain `this`: a service lives as long as its io_context, and only that context
// runs the completion, which it cannot do once it is destroyed (it then destroys pending handlers uncalled).
class FirstRequestTimeouts : public asio::execution_context::service {
 public:
  static asio::execution_context::id id;

  explicit FirstRequestTimeouts(asio::io_context& context);
  static FirstRequestTimeouts& of(asio::io_context& context) {
    return asio::use_service<FirstRequestTimeouts>(context);
  }

  // Starts timing `waiter`: after `timeout`, unless it has left by then, it is told. Call on the context's thread.
  void wait(FirstRequestWaiter& waiter, std::chrono::steady_clock::duration timeout);
  static void leave(FirstRequestWaiter& waiter) { waiter.unlink(); }

 private:
  using Waiters = boost::intrusive::list<FirstRequestWaiter, boost::intrusive::constant_time_size<false>>;

  void shutdown() override;
  void arm();
  void on_timer();

  std::optional<TickedTimer<ConnectionTimer>> timer_;  // armed for the oldest waiter, if any
  Waiters waiters_;
};

}  // namespace wshub
