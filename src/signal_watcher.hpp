// Turns SIGINT and SIGTERM into calls, for as long as the io_context runs.
#pragma once

#include <functional>
#include <string>

#include "net.hpp"

namespace wshub {

class SignalWatcher {
 public:
  SignalWatcher(asio::io_context& io, std::function<void(std::string signal_name)> on_signal);
  // Blocks SIGINT and SIGTERM in the calling thread: call it on the last thread left running.
  ~SignalWatcher();

  SignalWatcher(SignalWatcher const&) = delete;
  SignalWatcher& operator=(SignalWatcher const&) = delete;

 private:
  void wait();

  asio::signal_set signals_;
  std::function<void(std::string)> on_signal_;
};

}  // namespace wshub
