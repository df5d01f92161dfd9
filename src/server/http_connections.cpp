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

// The last connection removes itself at the end of its own coroutine: the stopper's step is posted, not run there.
void HttpConnections::remove(HttpSession const* session) {
  std::optional<Completion<void()>> on_all_closed;
  {
    std::scoped_lock lock(mutex_);
    sessions_.erase(session);
    if (sessions_.empty()) on_all_closed = std::exchange(on_all_closed_, std::nullopt);
  }
  if (on_all_closed) complete_posted(executor_, std::move(*on_all_closed));
}

void HttpConnections::stop_all(Completion<void()> on_all_closed) {
  std::vector<std::shared_ptr<HttpSession>> open;
  bool none_left = false;
  {
    std::scoped_lock lock(mutex_);
    stopping_ = true;
    for (auto const& [key, session] : sessions_) {
      if (auto alive = session.lock()) open.push_back(std::move(alive));
    }
    none_left = sessions_.empty();
    if (!none_left) on_all_closed_ = std::move(on_all_closed);
  }
  if (none_left) complete_posted(executor_, std::move(on_all_closed));
  for (auto const& session : open) session->stop();
}

}  // namespace wshub
