// The I/O threads: one io_context per thread, so that a connection's handlers all run on one thread and need
// neither a strand nor a lock.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "protocol/net.hpp"

namespace wshub {

class IoThreads {
 public:
  explicit IoThreads(unsigned count);

  // The first thread's context: the listener, signals and the shutdown coordinator live here.
  asio::io_context& main() { return *contexts_.front(); }
  // The context for the next new connection, round robin. Called only on the main thread.
  asio::io_context& next();

  // Runs every context, on this thread and count - 1 others; returns when stop() has been called.
  void run();
  void stop();

 private:
  using WorkGuard = asio::executor_work_guard<asio::io_context::executor_type>;

  std::vector<std::unique_ptr<asio::io_context>> contexts_;
  std::vector<WorkGuard> keep_running_;  // a context with no connection yet must not return from run()
  std::size_t next_ = 0;
};

}  // namespace wshub
