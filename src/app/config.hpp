// Every setting of wshub, read from command-line flags, then the environment, then defaults.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <spdlog/common.h>

#include "cluster/redis_endpoint.hpp"
#include "ops/logging.hpp"
#include "server/shutdown_coordinator.hpp"

namespace wshub {

struct Config {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8000;
  unsigned threads = 1;
  spdlog::level::level_enum log_level = spdlog::level::info;
  LogFormat log_format = LogFormat::text;
  Seconds forced_shutdown_after{1800};
  Seconds progress_log_every{5};
  std::size_t max_backpressure_bytes = 4 * 1024 * 1024;
  Seconds ping_interval{25};
  Seconds idle_timeout{60};
  std::size_t max_clients = 0;  // 0: no limit
  std::size_t max_message_bytes = 16 * 1024 * 1024;
  std::size_t max_body_bytes = 16 * 1024 * 1024;
  std::size_t max_header_bytes = 8 * 1024;
  Seconds request_timeout{10};
  std::string api_token;                     // empty: the API is open, as the Python service's was
  std::string metrics_token;                 // empty: /metrics is open
  std::vector<std::string> allowed_origins;  // empty: any origin may open a WebSocket
  std::string docs_url = "/docs";            // empty: no Swagger UI page
  std::optional<RedisEndpoint> redis;        // unset: a single node
  std::string cluster_name = "wshub";
  std::string node_id;  // empty: host name and port
  std::chrono::milliseconds cluster_timeout{1000};
  std::chrono::milliseconds redis_timeout{1000};
  Seconds node_timeout{10};
  Seconds redis_replay{30};
};

// What start-up should do: run with a config, or print a message (help, version, error) and exit.
struct StartupDecision {
  std::optional<Config> config;
  int exit_code = 0;
  std::string message;
};

// Looks up an environment variable; a parameter so that tests need not touch the process environment.
using EnvironmentLookup = std::function<std::optional<std::string>(std::string const& name)>;

// args excludes the program name. A bad value gives exit code 2 and one line naming the setting and the value.
StartupDecision read_config(std::vector<std::string> const& args, EnvironmentLookup const& environment);

// The real process environment.
std::optional<std::string> process_environment(std::string const& name);

}  // namespace wshub
