// Turns SIGINT and SIGTERM into a shutdown call and SIGHUP into a reload call, and logs SIGUSR1 and SIGUSR2 as
// ignored, for as long as the io_context runs; SIGPIPE is ignored for the whole process.
#pragma once

#include <functional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "protocol/net.hpp"

namespace wshub {

// A write to a closed pipe or socket must fail with EPIPE, not end the process: a log reader that went away, or a
// peer. Call it first thing in main, before any thread starts.
void ignore_broken_pipes();

// The wait's completion holds a plain `this`: its owner (main) destroys it only after the io_context has stopped
// for good, so no completion runs after it; a wait cancelled by that destruction would not touch it either.
class SignalWatcher {
 public:
  SignalWatcher(asio::io_context& io, std::function<void(std::string signal_name)> on_shutdown_signal,
                std::function<void()> on_reload_signal);
  // Blocks the watched signals in the calling thread: call it on the last thread left running.
  ~SignalWatcher();

  SignalWatcher(SignalWatcher const&) = delete;
  SignalWatcher& operator=(SignalWatcher const&) = delete;

 private:
  void wait();

  asio::signal_set signals_;
  std::function<void(std::string)> on_shutdown_signal_;
  std::function<void()> on_reload_signal_;
};

}  // namespace wshub
