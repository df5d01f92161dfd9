// Starts, balances and stops the per-thread io_contexts.
#include "io_threads.hpp"

#include <thread>

namespace wshub {

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
  for (std::size_t i = 1; i < contexts_.size(); ++i) workers.emplace_back([this, i] { contexts_[i]->run(); });
  main().run();
}

void IoThreads::stop() {
  for (auto& guard : keep_running_) guard.reset();
  for (auto& context : contexts_) context->stop();
}

}  // namespace wshub
