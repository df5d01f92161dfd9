// The graceful-shutdown contract: drain clients after a signal, force after a deadline, then stop the server and
// leave the cluster.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "async/ticked_timer.hpp"
#include "hub/drainable_clients.hpp"
#include "protocol/net.hpp"
#include "server/stoppable_server.hpp"

namespace wshub {

using Seconds = std::chrono::duration<double>;

struct ShutdownOptions {
  Seconds forced_shutdown_after{1800};
  Seconds progress_log_every{5};
  // How long a forced close may take: writing what is queued, then the close handshake (which each session
  // bounds by itself to its handshake timeout once its close frame is out).
  Seconds close_timeout{10};
  // How long HTTP requests in flight get to finish once the listener stops.
  Seconds http_drain_timeout{5};
};

// Every step runs on one strand, driven by events: a signal, the hub becoming empty, a timer.
//
// Its handlers hold a plain `this`: its owner (main) destroys it only after every I/O thread has stopped for good,
// and every handler it gives out (its timers' completions, the hub's when_empty, the server's and the cluster's
// on_stopped) is bound to its strand, on the main I/O thread, so none can run after it.
class ShutdownCoordinator {
 public:
  ShutdownCoordinator(asio::any_io_executor executor, DrainableClients& clients, StoppableServer& server,
                      ShutdownOptions const& options, Completion<void()> on_finished);

  // Thread-safe. The first signal starts the drain; another one skips whatever wait is under way.
  void on_signal(std::string signal_name);

 private:
  enum class Phase { serving, draining, closing, stopping, finished };

  void begin_drain(std::string_view signal_name);
  void log_progress();
  void on_deadline();
  void on_empty();
  void close_remaining(std::string_view why);
  void on_close_timeout();
  void stop_server();
  void on_stop_done();
  void finish();
  // A step of this coordinator as a handler for another piece: it runs on the strand, whichever thread answers.
  Completion<void()> on_strand(void (ShutdownCoordinator::*step)());
  using Timer = TickedTimer<asio::steady_timer>;

  void arm(Timer& timer, Seconds after, void (ShutdownCoordinator::*step)());
  double seconds_waited() const;

  asio::strand<asio::any_io_executor> strand_;
  DrainableClients& clients_;
  StoppableServer& server_;
  ShutdownOptions options_;
  Completion<void()> on_finished_;  // run once, on its own executor or else on the strand

  Phase phase_ = Phase::serving;
  int stops_pending_ = 0;  // the server's stop and leaving the cluster, both under way while stopping
  std::chrono::steady_clock::time_point drain_started_;
  // Each step a timer runs belongs to the phase that armed it: leaving the phase cancels or re-arms the timer,
  // and its tick keeps a completion already queued from running the step.
  Timer progress_timer_;
  Timer deadline_timer_;
  Timer phase_timer_;  // bounds the close handshakes, then the HTTP drain
};

}  // namespace wshub
