// Starts, balances and stops the per-thread io_contexts.
#include "server/io_threads.hpp"

#include <exception>
#include <thread>

#include "ops/logging.hpp"

namespace wshub {

namespace {

// Runs the context until it is stopped. A handler that throws is a bug, but it must not end the process for every
// other client (an exception out of a std::thread's function calls std::terminate): log it and run on, as Asio
// allows calling run() again after a handler threw.
void run_until_stopped(asio::io_context& context) {
  for (;;) {
    try {
      context.run();
      return;
    } catch (std::exception const& error) {
      log_event(spdlog::level::critical, {{"reason", error.what()}}, "an I/O handler threw, serving on: {}",
                error.what());
    } catch (...) {
      log_event(spdlog::level::critical, {}, "an I/O handler threw something that is not a std::exception, serving on");
    }
  }
}

}  // namespace

IoThreads::IoThreads(unsigned count) {
  for (unsigned i = 0; i < count; ++i) {
    // Not the concurrency hint 1, although one thread runs each context: with it, a handler posted from the
    // context's own thread waits in a thread-private queue and can run after one posted later from another
    // thread, which would let two clients see concurrent broadcasts in different orders.
    contexts_.push_back(std::make_unique<asio::io_context>());
    keep_running_.push_back(asio::make_work_guard(*contexts_.back()));
  }
}

asio::io_context& IoThreads::next() {
  auto& context = *contexts_[next_];
  next_ = (next_ + 1) % contexts_.size();
  return context;
}

void IoThreads::run() {
  std::vector<std::jthread> workers;
  try {
    for (std::size_t i = 1; i < contexts_.size(); ++i)
      workers.emplace_back([this, i] { run_until_stopped(*contexts_[i]); });
  } catch (...) {
    stop();  // the threads already started must return, or destroying `workers` would wait for them forever
    throw;
  }
  run_until_stopped(main());
}

void IoThreads::stop() {
  for (auto& guard : keep_running_) guard.reset();
  for (auto& context : contexts_) context->stop();
}

}  // namespace wshub
