// The churn scenario: loops that connect, upgrade, exchange one echo and close, over and over; it measures
// connections per second and the server's CPU per connection.
#pragma once

#include <cstddef>

#include "common_options.hpp"

namespace loadgen {

struct ChurnOptions {
  std::size_t concurrency = 16;
  double seconds = 5.0;
};

// Returns the exit status: 0 when every check passed.
int run_churn_scenario(const CommonOptions& common, const ChurnOptions& options);

}  // namespace loadgen
