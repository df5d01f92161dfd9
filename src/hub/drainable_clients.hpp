// The connected clients as the shutdown coordinator drives them (implemented by Hub), so that it can be tested
// with a fake.
#pragma once

#include <cstddef>
#include <string_view>

#include "async/completion.hpp"
#include "protocol/close_code.hpp"

namespace wshub {

// Every call is thread-safe. Its handlers are completions: each runs once, never inside the call that was given it
// (posted), on its associated executor (see "Asynchronous work" in docs/architecture.md).
class DrainableClients {
 public:
  virtual ~DrainableClients() = default;
  // From now on every new client is refused.
  virtual void stop_admitting() = 0;
  virtual std::size_t client_count() const = 0;
  // Closes every client after what is already queued for it.
  virtual void close_all(CloseCode code, std::string_view reason) = 0;
  // on_empty() as soon as no client is connected (at once, posted, if none is); a handler that names no executor
  // runs on Asio's system executor.
  virtual void when_empty(Completion<void()> on_empty) = 0;
  // Tells the rest of the cluster that this node is gone, so that it stops waiting for it; done() once it has (at
  // once, posted, on a single node); a handler that names no executor runs on the backplane's.
  virtual void leave_cluster(Completion<void()> done) = 0;
};

}  // namespace wshub
