// The accepting side of the server as the shutdown coordinator drives it (implemented by Listener), so that it can
// be tested with a fake.
#pragma once

#include "async/completion.hpp"

namespace wshub {

class StoppableServer {
 public:
  virtual ~StoppableServer() = default;
  // Stops accepting, closes idle HTTP connections, lets requests in flight finish, then on_stopped(): a completion,
  // never run inside this call, on its associated executor (the server's own for a handler that names none).
  virtual void stop(Completion<void()> on_stopped) = 0;
};

}  // namespace wshub
