// Waits for SIGINT/SIGTERM again and again, reporting each by name.
#include "signal_watcher.hpp"

#include <pthread.h>

#include <csignal>

namespace wshub {

SignalWatcher::SignalWatcher(asio::io_context& io, std::function<void(std::string signal_name)> on_signal)
    : signals_(io, SIGINT, SIGTERM), on_signal_(std::move(on_signal)) {
  wait();
}

SignalWatcher::~SignalWatcher() {
  // Destroying the signal_set restores the default action, which would kill a process that is already on its
  // way to exiting 0 if one more signal came; blocked, such a signal just stays pending until exit.
  sigset_t shutdown_signals;
  sigemptyset(&shutdown_signals);
  sigaddset(&shutdown_signals, SIGINT);
  sigaddset(&shutdown_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &shutdown_signals, nullptr);
}

void SignalWatcher::wait() {
  signals_.async_wait([this](error_code error, int signal_number) {
    if (error) return;
    on_signal_(signal_number == SIGINT ? "SIGINT" : "SIGTERM");
    wait();
  });
}

}  // namespace wshub
