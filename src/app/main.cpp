// wshub's entry point: reads the configuration, wires the pieces together, runs until shut down.
#include <iostream>

#include <spdlog/spdlog.h>
#include <boost/asio/ip/host_name.hpp>

#include "app/config.hpp"
#include "build_commit.hpp"
#include "cluster/redis_backplane.hpp"
#include "http/http_api.hpp"
#include "hub/hub.hpp"
#include "hub/local_backplane.hpp"
#include "ops/logging.hpp"
#include "protocol/deflater_budget.hpp"
#include "server/io_threads.hpp"
#include "server/listener.hpp"
#include "server/shutdown_coordinator.hpp"
#include "server/signal_watcher.hpp"
#include "version.hpp"

namespace {

int serve(wshub::Config const& config) {
  using namespace wshub;
  // Before the threads, so that it outlives every session: a session still queued when they stop is destroyed with
  // its io_context, and gives its deflater back then.
  DeflaterBudget context_deflaters(config.websocket.deflate.max_context_deflaters);
  IoThreads threads(config.threads);
  Metrics metrics;
  // Without Redis the node is the whole hub; the backplanes learn the node's id once the port is known.
  LocalBackplane local_backplane(threads.main().get_executor());
  std::unique_ptr<RedisBackplane> redis_backplane;
  if (config.cluster) {
    redis_backplane = std::make_unique<RedisBackplane>(threads.main().get_executor(), *config.cluster, metrics);
  }
  Backplane& backplane = redis_backplane ? static_cast<Backplane&>(*redis_backplane) : local_backplane;
  Hub hub(backplane, config.hub);
  HttpApi const api(hub, metrics, config.api);
  Listener listener(threads, config.listener, api, hub, metrics, config.http, config.websocket, context_deflaters);
  ShutdownCoordinator coordinator(threads.main().get_executor(), hub, listener, config.shutdown,
                                  [&threads] { threads.stop(); });
  SignalWatcher signals(
      threads.main(), [&coordinator](std::string name) { coordinator.on_signal(std::move(name)); },
      [&listener] { listener.reload_tls(); });

  auto const level = spdlog::level::to_string_view(config.logging.level);
  log_event(spdlog::level::info,
            {{"version", version},
             {"commit", build_commit},
             {"threads", config.threads},
             {"log_level", std::string_view(level.data(), level.size())}},
            "wshub {} (commit {}) starting: {} threads, log level {}, forced shutdown after {} s, progress every {} s",
            version, build_commit, config.threads, level, config.shutdown.forced_shutdown_after.count(),
            config.shutdown.progress_log_every.count());
  auto const default_node_id = fmt::format("{}:{}", asio::ip::host_name(), listener.port());
  local_backplane.start(default_node_id);
  int exit_code = 0;
  // Refused credentials or failed TLS before the node was ever live are wrong settings: exit as a bad setting does.
  if (redis_backplane) {
    redis_backplane->start(default_node_id, [&](RedisRefusal const& refusal) {
      if (refusal.cause == RedisRefusal::Cause::sentinel) {
        std::cerr << fmt::format("wshub: REDIS_SENTINEL_PASSWORD: refused by the {}\n", refusal.reason);
        exit_code = 2;
        return threads.stop();
      }
      auto const what =
          refusal.cause == RedisRefusal::Cause::tls
              ? fmt::format(
                    "TLS to Redis failed: {} (Redis's certificate must chain to REDIS_TLS_CA_FILE, or to the "
                    "system's trust store without it, and carry the URL's host name; a Redis that asks for a "
                    "client certificate needs REDIS_TLS_CERT_FILE and REDIS_TLS_KEY_FILE)",
                    refusal.reason)
              : fmt::format("Redis refused the credentials: {}", refusal.reason);
      std::cerr << fmt::format("wshub: REDIS_URL ({}): {}\n", shown_url(config.cluster->redis), what);
      exit_code = 2;
      threads.stop();
    });
  }
  listener.start();
  auto const url = listener.url();
  log_event(spdlog::level::info, {{"url", url}}, "listening on {}", url);
  threads.run();  // returns once every I/O thread has stopped and joined
  return exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  wshub::ignore_broken_pipes();
  auto const decision = wshub::read_config({argv + 1, argv + argc}, wshub::process_environment);
  if (!decision.config) {
    (decision.exit_code == 0 ? std::cout : std::cerr) << decision.message << '\n';
    return decision.exit_code;
  }
  wshub::init_logging(decision.config->logging.level, decision.config->logging.format);
  // Each a setting the server could not start with: one line naming it, and status 2.
  auto const refuse = [](std::exception const& error) {
    std::cerr << "wshub: " << error.what() << '\n';
    return 2;
  };
  try {
    return serve(*decision.config);
  } catch (wshub::ListenError const& error) {
    return refuse(error);
  } catch (wshub::RedisTlsError const& error) {
    return refuse(error);
  } catch (wshub::TlsSetupError const& error) {
    return refuse(error);
  }
}
