// The open plain-HTTP connections, so that shutdown can close the idle ones and wait for the busy ones.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace wshub {

class HttpSession;

class HttpConnections {
 public:
  // A connection added after stop_all is stopped at once.
  void add(std::shared_ptr<HttpSession> const& session);
  void remove(HttpSession const* session);
  // Asks every connection to close when idle; calls on_all_closed once none is left.
  void stop_all(std::function<void()> on_all_closed);

 private:
  std::mutex mutex_;
  std::unordered_map<HttpSession const*, std::weak_ptr<HttpSession>> sessions_;
  bool stopping_ = false;
  std::function<void()> on_all_closed_;
};

}  // namespace wshub
