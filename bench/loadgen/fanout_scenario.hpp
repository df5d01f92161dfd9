// The fan-out scenario: idle clients, and broadcasts over HTTP timed until the last client has each one.
#pragma once

#include <cstddef>

#include "common_options.hpp"

namespace loadgen {

struct FanoutOptions {
  std::size_t clients = 1000;
  std::size_t rounds = 50;
  // Start no round after this many seconds of rounds (at least one runs), so a slow server cannot stall a run;
  // 0 means no limit.
  double max_seconds = 0;
  // Offer permessage-deflate as Chromium does.
  bool deflate = false;
  // Broadcast JSON chat messages of `chat_bytes` cut from a word stream (chat_messages.hpp) instead of "round-N".
  bool chat = false;
  std::size_t chat_bytes = 256;
};

// Returns the exit status: 0 when every check passed.
int run_fanout_scenario(const CommonOptions& common, const FanoutOptions& options);

}  // namespace loadgen
