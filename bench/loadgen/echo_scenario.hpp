// The echo scenario: connections that each keep messages in flight, every echo checked byte for byte; it measures
// throughput, round trips and the server's CPU per message.
#pragma once

#include <cstddef>

#include "common_options.hpp"

namespace loadgen {

struct EchoOptions {
  std::size_t connections = 50;
  std::size_t in_flight = 8;
  std::size_t payload_bytes = 32;
  double seconds = 5.0;
  // Offer permessage-deflate as Chromium does.
  bool deflate = false;
  // Send JSON chat messages cut from a word stream (chat_messages.hpp) instead of letters after a sequence number.
  bool chat = false;
};

// Returns the exit status: 0 when every check passed.
int run_echo_scenario(const CommonOptions& common, const EchoOptions& options);

}  // namespace loadgen
