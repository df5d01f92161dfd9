// Many WebSocket clients with consecutive ids, opened with a bounded number of handshakes in flight, as a crowd
// of real clients arriving would be.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "check_log.hpp"
#include "clock.hpp"
#include "event_loop.hpp"
#include "targets.hpp"
#include "ws_connection.hpp"

namespace loadgen {

class ClientCrowd final : public WsHandler {
 public:
  // Client i gets the id first_client_id + i and connects to targets.for_client(i). `checks` hears every failure
  // until the crowd is handed over.
  ClientCrowd(EventLoop& loop, const Targets& targets, std::size_t size, std::int64_t first_client_id, CheckLog& checks,
              Compression compression);

  // Opens every client, at most `max_pending` upgrades at a time, until all are open or `deadline` passes.
  // Returns how many opened.
  std::size_t open_all(std::size_t max_pending, TimePoint deadline);
  // From now on `handler` hears the clients' messages and closes.
  void hand_over_to(WsHandler& handler);
  void abort_all();

  std::size_t size() const { return clients_.size(); }
  // Clients open now, as far as the crowd has heard (it hears nothing once handed over).
  std::size_t open_now() const { return open_now_; }
  WsConnection& operator[](std::size_t index) { return *clients_[index]; }
  std::int64_t client_id(std::size_t index) const { return first_client_id_ + static_cast<std::int64_t>(index); }
  // Clients on which the server accepted permessage-deflate.
  std::size_t compressed_count() const;
  // Every client's text messages so far, summed.
  MessageBytes message_bytes() const;

 private:
  void on_open(WsConnection& client) override;
  void on_text(WsConnection& client, std::string_view text, TimePoint received_at) override;
  void on_closed(WsConnection& client, std::string_view failure) override;
  void start_more();

  EventLoop& loop_;
  const std::int64_t first_client_id_;
  CheckLog& checks_;
  std::vector<std::unique_ptr<WsConnection>> clients_;
  std::vector<bool> is_open_;
  std::size_t max_pending_ = 0;
  std::size_t started_ = 0;
  std::size_t pending_ = 0;
  std::size_t opened_ = 0;
  std::size_t open_now_ = 0;
};

}  // namespace loadgen
