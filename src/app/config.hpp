// Every setting of wshub, read from command-line flags, then the environment, then defaults.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <spdlog/common.h>

#include "cluster/redis_backplane.hpp"
#include "http/http_api.hpp"
#include "hub/hub.hpp"
#include "ops/logging.hpp"
#include "server/http_session.hpp"
#include "server/listener.hpp"
#include "server/shutdown_coordinator.hpp"
#include "server/websocket_session.hpp"

namespace wshub {

struct LoggingOptions {
  spdlog::level::level_enum level = spdlog::level::info;
  LogFormat format = LogFormat::text;
};

// One I/O thread a core: each thread runs its own io_context, so more would only take turns.
unsigned default_thread_count();

// The options of each piece, as main hands them over. Each default lives in its piece's options struct; the
// help text and the README's settings table are read from, or tested against, these.
struct Config {
  ListenerOptions listener;
  unsigned threads = default_thread_count();
  LoggingOptions logging;
  ShutdownOptions shutdown;
  HttpOptions http;
  WebSocketOptions websocket;
  HubOptions hub;
  ApiOptions api;
  std::optional<ClusterOptions> cluster;  // unset: a single node
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
