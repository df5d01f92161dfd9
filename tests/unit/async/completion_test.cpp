// Tests how an answer reaches a Completion: on the handler's executor, never inside the call that has it at once.
#include "async/completion.hpp"

#include <optional>

#include <gtest/gtest.h>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/io_context.hpp>

namespace wshub {
namespace {

// A handler that, like a coroutine's, gives its executor away when it is moved.
struct MovedWithItsExecutor {
  using executor_type = asio::any_io_executor;

  MovedWithItsExecutor(asio::any_io_executor on, std::optional<int>& into) : executor(std::move(on)), got(&into) {}
  MovedWithItsExecutor(MovedWithItsExecutor&& other) noexcept
      : executor(std::exchange(other.executor, {})), got(other.got) {}

  executor_type get_executor() const { return executor; }
  void operator()(int value) && { *got = value; }

  asio::any_io_executor executor;
  std::optional<int>* got;
};

TEST(Completion, ReadsTheHandlersExecutorBeforeMovingIt) {
  asio::io_context handler_thread;
  std::optional<int> got;
  Completion<void(int)> done = MovedWithItsExecutor(handler_thread.get_executor(), got);
  complete_posted(asio::system_executor(), std::move(done), 7);
  EXPECT_FALSE(got.has_value());
  handler_thread.run();
  EXPECT_EQ(got, 7);
}

TEST(Completion, PostsAnAnswerKnownAtOnceEvenWhenAlreadyOnTheHandlersThread) {
  asio::io_context handler_thread;
  std::optional<int> got;
  bool ran_inside = false;
  asio::post(handler_thread, [&] {
    Completion<void(int)> done = asio::bind_executor(handler_thread, [&](int value) { got = value; });
    complete_posted(asio::system_executor(), std::move(done), 1);
    ran_inside = got.has_value();
  });
  handler_thread.run();
  EXPECT_FALSE(ran_inside);
  EXPECT_EQ(got, 1);
}

TEST(Completion, RunsAHandlerThatNamesNoExecutorOnTheFallback) {
  asio::io_context fallback;
  std::optional<int> got;
  complete_later(fallback.get_executor(), Completion<void(int)>([&](int value) { got = value; }), 3);
  EXPECT_FALSE(got.has_value());
  fallback.run();
  EXPECT_EQ(got, 3);
}

}  // namespace
}  // namespace wshub
