// Drives the shutdown phases: serving -> draining -> (closing) -> stopping -> finished.
#include "server/shutdown_coordinator.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>

#include "ops/logging.hpp"

namespace wshub {

ShutdownCoordinator::ShutdownCoordinator(asio::any_io_executor executor, DrainableClients& clients,
                                         StoppableServer& server, ShutdownOptions const& options,
                                         Completion<void()> on_finished)
    : strand_(asio::make_strand(std::move(executor))),
      clients_(clients),
      server_(server),
      options_(options),
      on_finished_(std::move(on_finished)),
      progress_timer_(strand_),
      deadline_timer_(strand_),
      phase_timer_(strand_) {}

void ShutdownCoordinator::on_signal(std::string signal_name) {
  asio::post(strand_, [this, signal_name = std::move(signal_name)] {
    switch (phase_) {
      case Phase::serving:
        begin_drain(signal_name);
        return;
      case Phase::draining:
        close_remaining(fmt::format("second signal {}", signal_name));
        return;
      case Phase::closing:
        log_event(spdlog::level::info, {{"signal", signal_name}}, "received {}: not waiting for close handshakes",
                  signal_name);
        stop_server();
        return;
      default:
        log_event(spdlog::level::info, {{"signal", signal_name}}, "received {}: already stopping", signal_name);
        return;
    }
  });
}

void ShutdownCoordinator::begin_drain(std::string_view signal_name) {
  phase_ = Phase::draining;
  drain_started_ = std::chrono::steady_clock::now();
  clients_.stop_admitting();
  auto const clients = clients_.client_count();
  auto const forcing_after = options_.forced_shutdown_after.count();
  log_event(spdlog::level::info,
            {{"signal", signal_name}, {"clients", clients}, {"forced_shutdown_after_sec", forcing_after}},
            "received {}: shutting down; no new clients; waiting for {} clients to leave (forcing after {} s)",
            signal_name, clients, forcing_after);
  if (options_.forced_shutdown_after == Seconds::zero()) {
    close_remaining("FORCED_SHUTDOWN_AFTER_SEC is 0");
  } else {
    arm(deadline_timer_, options_.forced_shutdown_after, &ShutdownCoordinator::on_deadline);
    arm(progress_timer_, options_.progress_log_every, &ShutdownCoordinator::log_progress);
  }
  clients_.when_empty(on_strand(&ShutdownCoordinator::on_empty));
}

void ShutdownCoordinator::log_progress() {
  double const waited = seconds_waited();
  auto const clients = clients_.client_count();
  double const forcing_in = options_.forced_shutdown_after.count() - waited;
  log_event(spdlog::level::info, {{"clients", clients}, {"waited_sec", waited}, {"forcing_in_sec", forcing_in}},
            "shutdown: {} clients remain; waited {:.1f} s; forcing in {:.1f} s", clients, waited, forcing_in);
  arm(progress_timer_, options_.progress_log_every, &ShutdownCoordinator::log_progress);
}

void ShutdownCoordinator::on_deadline() {
  close_remaining(fmt::format("FORCED_SHUTDOWN_AFTER_SEC ({} s) expired", options_.forced_shutdown_after.count()));
}

void ShutdownCoordinator::on_empty() {
  if (phase_ == Phase::draining) {
    double const waited = seconds_waited();
    log_event(spdlog::level::info, {{"waited_sec", waited}}, "shutdown: all clients left after {:.1f} s", waited);
  }
  if (phase_ == Phase::closing) log_event(spdlog::level::info, {}, "shutdown: all remaining clients closed");
  if (phase_ == Phase::draining || phase_ == Phase::closing) stop_server();
}

void ShutdownCoordinator::close_remaining(std::string_view why) {
  phase_ = Phase::closing;
  progress_timer_.cancel();
  deadline_timer_.cancel();
  auto const clients = clients_.client_count();
  auto const code = static_cast<int>(CloseCode::going_away);
  log_event(spdlog::level::info, {{"clients", clients}, {"close_code", code}, {"reason", why}},
            "shutdown: closing {} remaining clients with {} ({})", clients, code, why);
  clients_.close_all(CloseCode::going_away, shutting_down_reason);
  arm(phase_timer_, options_.close_timeout, &ShutdownCoordinator::on_close_timeout);
}

void ShutdownCoordinator::on_close_timeout() {
  auto const clients = clients_.client_count();
  auto const timeout = options_.close_timeout.count();
  log_event(spdlog::level::warn, {{"clients", clients}, {"close_timeout_sec", timeout}},
            "shutdown: {} clients did not finish the close handshake within {} s", clients, timeout);
  stop_server();
}

void ShutdownCoordinator::stop_server() {
  phase_ = Phase::stopping;
  progress_timer_.cancel();
  deadline_timer_.cancel();
  log_event(spdlog::level::info, {}, "shutdown: no longer accepting connections; finishing HTTP requests in flight");
  // Side by side: leaving the cluster takes a Redis round trip, which need not wait for the HTTP requests.
  stops_pending_ = 2;
  server_.stop(on_strand(&ShutdownCoordinator::on_stop_done));
  clients_.leave_cluster(on_strand(&ShutdownCoordinator::on_stop_done));
  arm(phase_timer_, options_.http_drain_timeout, &ShutdownCoordinator::finish);
}

void ShutdownCoordinator::on_stop_done() {
  if (--stops_pending_ == 0) finish();
}

void ShutdownCoordinator::finish() {
  if (phase_ == Phase::finished) return;
  phase_ = Phase::finished;
  phase_timer_.cancel();
  log_event(spdlog::level::info, {}, "shutdown: stopped");
  complete_later(strand_, std::move(on_finished_));
}

Completion<void()> ShutdownCoordinator::on_strand(void (ShutdownCoordinator::*step)()) {
  return asio::bind_executor(strand_, [this, step] { (this->*step)(); });
}

void ShutdownCoordinator::arm(Timer& timer, Seconds after, void (ShutdownCoordinator::*step)()) {
  timer.arm_after(after, [this, step] { (this->*step)(); });
}

double ShutdownCoordinator::seconds_waited() const {
  return Seconds(std::chrono::steady_clock::now() - drain_started_).count();
}

}  // namespace wshub
