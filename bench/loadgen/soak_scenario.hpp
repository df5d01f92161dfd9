// The soak scenario: for a long time, clients come, echo once and go while broadcasts go out back to back; every
// delivery is checked against what `sent` counted, and the server's memory and open files must not creep.
#pragma once

#include <cstddef>

#include "common_options.hpp"

namespace loadgen {

struct SoakOptions {
  // Clients connected at once; each slot connects a new client as soon as its last one has gone.
  std::size_t concurrency = 32;
  // Broadcasts a client waits to see answered after its 101 before it leaves (its echo must be back too).
  std::size_t broadcasts_per_client = 3;
  // Length of the soak after the warm-up.
  double seconds = 10.0;
  // Most the server's RSS may grow over the soak, in percent; it is read with nobody connected, after the warm-up
  // and at the end.
  double max_rss_growth_percent = 5.0;
};

// Returns the exit status: 0 when every check passed.
int run_soak_scenario(const CommonOptions& common, const SoakOptions& options);

}  // namespace loadgen
