// Waits for signals again and again: SIGINT and SIGTERM are reported by name, SIGHUP asks for a reload, the others
// are logged and ignored.
#include "server/signal_watcher.hpp"

#include <pthread.h>

#include <array>
#include <csignal>
#include <string_view>

#include "ops/logging.hpp"

namespace wshub {
namespace {

// The default action of each would end the process at once, without a drain or a log line: SIGUSR1 and SIGUSR2 are
// watched only to be ignored.
constexpr std::array watched_signals{SIGINT, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2};

std::string_view signal_name(int signal_number) {
  switch (signal_number) {
    case SIGINT:
      return "SIGINT";
    case SIGTERM:
      return "SIGTERM";
    case SIGHUP:
      return "SIGHUP";
    case SIGUSR1:
      return "SIGUSR1";
    default:
      return "SIGUSR2";
  }
}

}  // namespace

void ignore_broken_pipes() {
  std::signal(SIGPIPE, SIG_IGN);
}

SignalWatcher::SignalWatcher(asio::io_context& io, std::function<void(std::string signal_name)> on_shutdown_signal,
                             std::function<void()> on_reload_signal)
    : signals_(io), on_shutdown_signal_(std::move(on_shutdown_signal)), on_reload_signal_(std::move(on_reload_signal)) {
  for (int const signal_number : watched_signals) signals_.add(signal_number);
  wait();
}

SignalWatcher::~SignalWatcher() {
  // Destroying the signal_set restores the default action, which would kill a process that is already on its
  // way to exiting 0 if one more signal came; blocked, such a signal just stays pending until exit.
  sigset_t blocked;
  sigemptyset(&blocked);
  for (int const signal_number : watched_signals) sigaddset(&blocked, signal_number);
  pthread_sigmask(SIG_BLOCK, &blocked, nullptr);
}

void SignalWatcher::wait() {
  signals_.async_wait([this](error_code error, int signal_number) {
    if (error) return;
    // Waiting again first: a handler that throws must not leave the next SIGTERM unheard.
    wait();
    auto const name = signal_name(signal_number);
    if (signal_number == SIGINT || signal_number == SIGTERM) {
      on_shutdown_signal_(std::string(name));
    } else if (signal_number == SIGHUP) {
      on_reload_signal_();
    } else {
      log_event(spdlog::level::info, {{"signal", name}}, "received {}: ignored, it has no meaning to wshub", name);
    }
  });
}

}  // namespace wshub
