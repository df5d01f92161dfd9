// The open plain-HTTP connections, so that shutdown can close the idle ones and wait for the busy ones.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "async/completion.hpp"

namespace wshub {

class HttpSession;

// Every call is thread-safe.
class HttpConnections {
 public:
  // executor: where stop_all's handler runs if it names no executor of its own.
  explicit HttpConnections(asio::any_io_executor executor) : executor_(std::move(executor)) {}

  // A connection added after stop_all is stopped at once.
  void add(std::shared_ptr<HttpSession> const& session);
  void remove(HttpSession const* session);
  // Asks every connection to close when idle; on_all_closed() once none is left: posted, never inside this call
  // nor inside the remove() of the last connection.
  void stop_all(Completion<void()> on_all_closed);

 private:
  asio::any_io_executor const executor_;
  std::mutex mutex_;
  std::unordered_map<HttpSession const*, std::weak_ptr<HttpSession>> sessions_;
  bool stopping_ = false;
  std::optional<Completion<void()>> on_all_closed_;
};

}  // namespace wshub
