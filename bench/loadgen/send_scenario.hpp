// The send scenario: idle clients, and targeted sends over HTTP (POST /clients/{id}/send), several in flight,
// each timed from its POST until its client reads it.
#pragma once

#include <cstddef>

#include "common_options.hpp"

namespace loadgen {

struct SendOptions {
  std::size_t clients = 1000;
  std::size_t sends = 10000;
  // Requests in flight at once, each on a keep-alive connection of its own.
  std::size_t in_flight = 16;
  // Start no send after this many seconds of sending (at least one starts), so a slow server cannot stall a run;
  // 0 means no limit.
  double max_seconds = 0;
};

// Returns the exit status: 0 when every check passed.
int run_send_scenario(const CommonOptions& common, const SendOptions& options);

}  // namespace loadgen
