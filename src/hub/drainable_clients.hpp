// The connected clients as the shutdown coordinator drives them (implemented by Hub), so that it can be tested
// with a fake.
#pragma once

#include <cstddef>
#include <functional>
#include <string_view>

#include "protocol/close_code.hpp"

namespace wshub {

// Every call is thread-safe.
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

}  // namespace wshub
