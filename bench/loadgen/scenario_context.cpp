// What every scenario works with: the event loop, the targets, probes of the servers, of their Redis and of the load
// generator itself, and the log of failed checks.
#include "scenario_context.hpp"

#include <unistd.h>

#include <optional>
#include <vector>

namespace loadgen {

ScenarioContext::ScenarioContext(const CommonOptions& options)
    : common(options),
      targets(options.host, options.ports, options.tls ? std::optional(options.tls_options) : std::nullopt),
      server(options.server_pids),
      redis(options.redis_pid ? std::vector<pid_t>{*options.redis_pid} : std::vector<pid_t>{}),
      load_generator({getpid()}) {}

}  // namespace loadgen
