// wshub's entry point: reads the configuration, wires the pieces together, runs until shut down.
#include <iostream>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

#include "config.hpp"
#include "http_api.hpp"
#include "hub.hpp"
#include "listener.hpp"
#include "logging.hpp"
#include "net.hpp"
#include "shutdown_coordinator.hpp"
#include "signal_watcher.hpp"
#include "version.hpp"

namespace {

int serve(wshub::Config const& config) {
  using namespace wshub;
  asio::io_context io(static_cast<int>(config.threads));
  Hub hub;
  HttpApi const api(hub);
  Listener listener(io, {.host = config.host, .port = config.port}, api, hub, HttpOptions{}, WebSocketOptions{});
  ShutdownCoordinator coordinator(
      io.get_executor(), hub, listener,
      {.forced_shutdown_after = config.forced_shutdown_after, .progress_log_every = config.progress_log_every},
      [&io] { io.stop(); });
  SignalWatcher signals(io, [&coordinator](std::string name) { coordinator.on_signal(std::move(name)); });

  spdlog::info("wshub {} starting: {} threads, log level {}, forced shutdown after {} s, progress every {} s", version,
               config.threads, spdlog::level::to_string_view(config.log_level), config.forced_shutdown_after.count(),
               config.progress_log_every.count());
  listener.start();
  spdlog::info("listening on {}", listener.url());

  {
    std::vector<std::jthread> workers;
    for (unsigned i = 1; i < config.threads; ++i) workers.emplace_back([&io] { io.run(); });
    io.run();
  }  // all workers have joined: the signal watcher goes out of scope on the last thread
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  auto const decision = wshub::read_config({argv + 1, argv + argc}, wshub::process_environment);
  if (!decision.config) {
    (decision.exit_code == 0 ? std::cout : std::cerr) << decision.message << '\n';
    return decision.exit_code;
  }
  wshub::init_logging(decision.config->log_level);
  try {
    return serve(*decision.config);
  } catch (wshub::ListenError const& error) {
    std::cerr << "wshub: " << error.what() << '\n';
    return 2;
  }
}
