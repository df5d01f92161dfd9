// Where the broadcast stream may be trimmed: what a reconnecting node can still replay lies after this id.
#pragma once

#include <chrono>
#include <string>

namespace wshub {

// A stream id (milliseconds since the epoch) REDIS_REPLAY_SEC ago: entries before it may go.
inline std::string oldest_kept_stream_id(std::chrono::milliseconds replay_window) {
  auto const now =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch());
  return std::to_string((now - replay_window).count());
}

}  // namespace wshub
