// Tracks open HTTP connections for a graceful stop.
#include "server/http_connections.hpp"

#include <utility>
#include <vector>

#include "server/http_session.hpp"

namespace wshub {

void HttpConnections::add(std::shared_ptr<HttpSession> const& session) {
  {
    std::scoped_lock lock(mutex_);
    sessions_.emplace(session.get(), session);
    if (!stopping_) return;
  }
  session->stop();
}

void HttpConnections::remove(HttpSession const* session) {
  std::function<void()> on_all_closed;
  {
    std::scoped_lock lock(mutex_);
    sessions_.erase(session);
    if (sessions_.empty()) on_all_closed = std::exchange(on_all_closed_, nullptr);
  }
  if (on_all_closed) on_all_closed();
}

void HttpConnections::stop_all(std::function<void()> on_all_closed) {
  std::vector<std::shared_ptr<HttpSession>> open;
  {
    std::scoped_lock lock(mutex_);
    stopping_ = true;
    for (auto const& [key, session] : sessions_) {
      if (auto alive = session.lock()) open.push_back(std::move(alive));
    }
    if (!sessions_.empty()) {
      on_all_closed_ = std::move(on_all_closed);
      on_all_closed = nullptr;
    }
  }
  if (on_all_closed) on_all_closed();
  for (auto const& session : open) session->stop();
}

}  // namespace wshub
