// The two things the shutdown coordinator drives, as small interfaces so that it can be tested with fakes.
#pragma once

#include <cstddef>
#include <functional>
#include <string_view>

#include "close_code.hpp"

namespace wshub {

// The connected clients, seen by the coordinator (implemented by Hub). Every call is thread-safe.
class DrainableClients {
 public:
  virtual ~DrainableClients() = default;
  // From now on every new client is refused.
  virtual void stop_admitting() = 0;
  virtual std::size_t client_count() const = 0;
  // Closes every client after what is already queued for it.
  virtual void close_all(CloseCode code, std::string_view reason) = 0;
  // Calls on_empty once, as soon as no client is connected (at once if none is); from any thread.
  virtual void when_empty(std::function<void()> on_empty) = 0;
  // Tells the rest of the cluster that this node is gone, so that it stops waiting for it; calls done once it
  // has (at once on a single node); from any thread.
  virtual void leave_cluster(std::function<void()> done) = 0;
};

// The accepting side of the server, seen by the coordinator (implemented by Listener).
class StoppableServer {
 public:
  virtual ~StoppableServer() = default;
  // Stops accepting, closes idle HTTP connections, lets requests in flight finish, then calls on_stopped once.
  virtual void stop(std::function<void()> on_stopped) = 0;
};

}  // namespace wshub
