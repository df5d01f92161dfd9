// The idle scenario: many clients that connect and stay quiet; it measures handshakes per second, and the server's
// memory, CPU and open files per connection.
#pragma once

#include <cstddef>

#include "common_options.hpp"

namespace loadgen {

struct IdleOptions {
  std::size_t clients = 1000;
  // Offer permessage-deflate as Chromium does: the server's memory per connection that negotiated it.
  bool deflate = false;
};

// Returns the exit status: 0 when every check passed.
int run_idle_scenario(const CommonOptions& common, const IdleOptions& options);

}  // namespace loadgen
