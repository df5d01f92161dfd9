// Tests for IoThreads: every context runs on its own thread, a throwing handler does not end the process, and
// stop() ends run().
#include "server/io_threads.hpp"

#include <atomic>
#include <set>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>
#include <boost/asio/post.hpp>

#include "ops/logging.hpp"

namespace wshub {
namespace {

TEST(IoThreads, HandsOutTheContextsRoundRobin) {
  IoThreads threads(3);
  auto* const first = &threads.next();
  auto* const second = &threads.next();
  auto* const third = &threads.next();
  EXPECT_EQ(first, &threads.main());
  EXPECT_NE(first, second);
  EXPECT_NE(second, third);
  EXPECT_EQ(&threads.next(), first);
}

TEST(IoThreads, RunsEachContextOnItsOwnThreadUntilStopped) {
  IoThreads threads(2);
  std::atomic<std::thread::id> other_thread;
  asio::post(threads.next(), [] {});
  asio::post(threads.next(), [&] {
    other_thread = std::this_thread::get_id();
    asio::post(threads.main(), [&threads] { threads.stop(); });
  });
  threads.run();
  EXPECT_NE(other_thread.load(), std::thread::id());
  EXPECT_NE(other_thread.load(), std::this_thread::get_id());
}

TEST(IoThreads, AHandlerThatThrowsDoesNotStopTheOthers) {
  // The server sets up its logger before any I/O thread starts; so does this test, which logs from two threads
  // (spdlog creating its registry lazily from two threads at once is a race ThreadSanitizer rightly reports).
  init_logging(spdlog::level::critical);
  IoThreads threads(2);
  threads.next();
  auto& worker = threads.next();
  std::atomic<bool> ran_after_the_throw = false;
  asio::post(worker, [] { throw std::runtime_error("a bug in a handler"); });
  asio::post(worker, [] { throw 42; });
  asio::post(worker, [&] {
    ran_after_the_throw = true;
    threads.stop();
  });
  asio::post(threads.main(), [] { throw std::logic_error("a bug on the main thread"); });
  threads.run();
  EXPECT_TRUE(ran_after_the_throw);
}

}  // namespace
}  // namespace wshub
