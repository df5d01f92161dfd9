// The accepting side of the server as the shutdown coordinator drives it (implemented by Listener), so that it can
// be tested with a fake.
#pragma once

#include <functional>

namespace wshub {

class StoppableServer {
 public:
  virtual ~StoppableServer() = default;
  // Stops accepting, closes idle HTTP connections, lets requests in flight finish, then calls on_stopped once.
  virtual void stop(std::function<void()> on_stopped) = 0;
};

}  // namespace wshub
