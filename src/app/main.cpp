// wshub's entry point: reads the configuration, wires the pieces together, runs until shut down.
#include <iostream>

#include <spdlog/spdlog.h>

#include "app/config.hpp"
#include "build_commit.hpp"
#include "cluster/redis_backplane.hpp"
#include "http/http_api.hpp"
#include "hub/hub.hpp"
#include "hub/local_backplane.hpp"
#include "ops/logging.hpp"
#include "server/io_threads.hpp"
#include "server/listener.hpp"
#include "server/shutdown_coordinator.hpp"
#include "server/signal_watcher.hpp"
#include "version.hpp"

namespace {

// Seconds as the configuration reads them, as the clock counts them.
std::chrono::steady_clock::duration to_duration(wshub::Seconds seconds) {
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(seconds);
}

wshub::HttpOptions http_options(wshub::Config const& config) {
  return {.limits = {.max_header_bytes = config.max_header_bytes, .max_body_bytes = config.max_body_bytes},
          .request_timeout = to_duration(config.request_timeout),
          .allowed_origins = config.allowed_origins};
}

wshub::WebSocketOptions websocket_options(wshub::Config const& config) {
  return {.max_message_bytes = config.max_message_bytes,
          .max_backpressure_bytes = config.max_backpressure_bytes,
          .ping_interval = to_duration(config.ping_interval),
          .idle_timeout = to_duration(config.idle_timeout)};
}

std::chrono::milliseconds to_milliseconds(wshub::Seconds seconds) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(seconds);
}

wshub::ClusterOptions cluster_options(wshub::Config const& config) {
  return {.redis = *config.redis,
          .cluster_name = config.cluster_name,
          .node_id = config.node_id,
          .count_timeout = config.cluster_timeout,
          .redis_timeout = config.redis_timeout,
          .node_timeout = to_milliseconds(config.node_timeout),
          .replay_window = to_milliseconds(config.redis_replay)};
}

int serve(wshub::Config const& config) {
  using namespace wshub;
  IoThreads threads(config.threads);
  Metrics metrics;
  // Without Redis the node is the whole hub; the Redis backplane learns its node id once the port is known.
  LocalBackplane local_backplane(threads.main().get_executor());
  std::unique_ptr<RedisBackplane> redis_backplane;
  if (config.redis) {
    redis_backplane = std::make_unique<RedisBackplane>(threads.main().get_executor(), cluster_options(config), metrics);
  }
  Backplane& backplane = redis_backplane ? static_cast<Backplane&>(*redis_backplane) : local_backplane;
  Hub hub(backplane, {.max_clients = config.max_clients});
  HttpApi const api(
      hub, metrics,
      {.api_token = config.api_token, .metrics_token = config.metrics_token, .docs_url = config.docs_url});
  Listener listener(threads, {.host = config.host, .port = config.port}, api, hub, metrics, http_options(config),
                    websocket_options(config));
  ShutdownCoordinator coordinator(
      threads.main().get_executor(), hub, listener,
      {.forced_shutdown_after = config.forced_shutdown_after, .progress_log_every = config.progress_log_every},
      [&threads] { threads.stop(); });
  SignalWatcher signals(threads.main(), [&coordinator](std::string name) { coordinator.on_signal(std::move(name)); });

  auto const level = spdlog::level::to_string_view(config.log_level);
  log_event(spdlog::level::info,
            {{"version", version},
             {"commit", build_commit},
             {"threads", config.threads},
             {"log_level", std::string_view(level.data(), level.size())}},
            "wshub {} (commit {}) starting: {} threads, log level {}, forced shutdown after {} s, progress every {} s",
            version, build_commit, config.threads, level, config.forced_shutdown_after.count(),
            config.progress_log_every.count());
  if (redis_backplane) redis_backplane->start(fmt::format("{}:{}", asio::ip::host_name(), listener.port()));
  listener.start();
  auto const url = listener.url();
  log_event(spdlog::level::info, {{"url", url}}, "listening on {}", url);
  threads.run();  // returns once every I/O thread has stopped and joined
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  wshub::ignore_broken_pipes();
  auto const decision = wshub::read_config({argv + 1, argv + argc}, wshub::process_environment);
  if (!decision.config) {
    (decision.exit_code == 0 ? std::cout : std::cerr) << decision.message << '\n';
    return decision.exit_code;
  }
  wshub::init_logging(decision.config->log_level, decision.config->log_format);
  try {
    return serve(*decision.config);
  } catch (wshub::ListenError const& error) {
    std::cerr << "wshub: " << error.what() << '\n';
    return 2;
  }
}
