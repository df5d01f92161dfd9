// What every scenario works with: the event loop, the target, probes of the server and of the load generator
// itself, and the log of failed checks.
#include "scenario_context.hpp"

#include <unistd.h>

namespace loadgen {

ScenarioContext::ScenarioContext(const CommonOptions& options)
    : common(options),
      target(Target::parse(options.host, options.port)),
      server(options.server_pid),
      load_generator(getpid()) {}

}  // namespace loadgen
