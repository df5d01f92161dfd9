// A move-only completion handler that carries the executor it must run on, and the two ways an answer reaches it.
#pragma once

#include <memory>
#include <type_traits>
#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/system_executor.hpp>

#include "protocol/net.hpp"

namespace wshub {

template <typename Signature>
class Completion;

// Why not asio::any_completion_handler: in Boost 1.81 it erases the handler's executor into an
// any_completion_executor, which cannot be required never to block, so asio::post cannot queue the handler on its
// own executor (it does not compile), and posting through another executor first costs a thread hop. This keeps
// the executor as an any_io_executor beside the handler. Handlers run once, as rvalues, as Asio's do.
template <typename... Args>
class Completion<void(Args...)> {
 public:
  Completion() = default;

  // Takes the handler's associated executor; a handler that names none gets whatever executor completes it.
  template <typename Handler>
  requires(!std::is_same_v<std::decay_t<Handler>, Completion> && std::is_invocable_v<Handler&&, Args...>)
      Completion(Handler handler)  // implicit: a handler converts, as to std::function
      : Completion(executor_of(handler), std::move(handler)) {}

  // A step of a composed operation that runs on the executor of the handler it finishes (empty: none named).
  // Taken by reference, so that the handler is moved only after its executor was read, whatever the order in which
  // arguments are evaluated.
  template <typename Handler>
  Completion(asio::any_io_executor executor, Handler&& handler)
      : executor_(std::move(executor)),
        call_(std::make_unique<Call<std::decay_t<Handler>>>(std::forward<Handler>(handler))) {}

  // The executor the handler runs on: its own, or fallback if it named none.
  asio::any_io_executor executor_or(asio::any_io_executor const& fallback) const {
    return executor_ ? executor_ : fallback;
  }
  asio::any_io_executor const& executor() const { return executor_; }

  // Runs the handler here and now: only for a caller already on its executor, in a later turn than the initiator.
  void operator()(Args... args) && { std::exchange(call_, nullptr)->run(std::forward<Args>(args)...); }

 private:
  struct Callable {
    virtual ~Callable() = default;
    virtual void run(Args... args) = 0;
  };
  template <typename Handler>
  struct Call final : Callable {
    explicit Call(Handler h) : handler(std::move(h)) {}
    void run(Args... args) override { std::move(handler)(std::forward<Args>(args)...); }
    Handler handler;
  };

  template <typename Handler>
  static asio::any_io_executor executor_of(Handler const& handler) {
    if constexpr (std::is_same_v<asio::associated_executor_t<Handler>, asio::system_executor>) {
      return {};
    } else {
      return asio::get_associated_executor(handler);
    }
  }

  asio::any_io_executor executor_;  // empty: the handler named none
  std::unique_ptr<Callable> call_;
};

// Hands an answer to its handler from a later turn than the call that started the operation: on the handler's
// executor (or fallback, for a handler that named none), at once if that is where we are, else posted there.
template <typename... Args, typename... Values>
void complete_later(asio::any_io_executor const& fallback, Completion<void(Args...)> done, Values&&... values) {
  auto const executor = done.executor_or(fallback);
  asio::dispatch(executor, [done = std::move(done), ... values = std::forward<Values>(values)]() mutable {
    std::move(done)(std::move(values)...);
  });
}

// Hands an answer known inside the call that started the operation to its handler: posted to the handler's
// executor (or fallback), so that the handler never runs before its initiator has returned (Asio's rule).
template <typename... Args, typename... Values>
void complete_posted(asio::any_io_executor const& fallback, Completion<void(Args...)> done, Values&&... values) {
  auto const executor = done.executor_or(fallback);
  asio::post(executor, [done = std::move(done), ... values = std::forward<Values>(values)]() mutable {
    std::move(done)(std::move(values)...);
  });
}

}  // namespace wshub
