// What every scenario works with: the event loop, the targets, probes of the servers, of their Redis and of the load
// generator itself, and the log of failed checks.
#pragma once

#include "check_log.hpp"
#include "clock.hpp"
#include "common_options.hpp"
#include "event_loop.hpp"
#include "process_probe.hpp"
#include "targets.hpp"

namespace loadgen {

struct ScenarioContext {
  explicit ScenarioContext(const CommonOptions& options);

  // When a step that starts now must have finished (--timeout).
  TimePoint step_deadline() const { return Clock::now() + from_seconds(common.timeout_seconds); }

  const CommonOptions& common;
  EventLoop loop;
  const Targets targets;
  // Every server process, read as one.
  const ProcessProbe server;
  const ProcessProbe redis;
  const ProcessProbe load_generator;
  CheckLog checks;
};

}  // namespace loadgen
