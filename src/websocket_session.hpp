// One WebSocket client: the opening handshake, admission to the hub, the echo loop and the write queue.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "hub.hpp"
#include "net.hpp"

namespace wshub {

struct WebSocketOptions {
  std::size_t max_message_bytes = 16 * 1024 * 1024;  // uvicorn's ws_max_size
  // How long the opening handshake, and a close handshake we start, may take before we drop the connection.
  std::chrono::steady_clock::duration handshake_timeout = std::chrono::seconds(5);
  // After half of this without hearing from the client we ping it; after the other half we drop it. 40 s gives
  // uvicorn's behaviour (ping after 20 s, give up 20 s later), so dead peers do not hold their ids forever.
  std::chrono::steady_clock::duration idle_timeout = std::chrono::seconds(40);
};

class WebSocketSession final : public HubClient, public std::enable_shared_from_this<WebSocketSession> {
 public:
  WebSocketSession(beast::tcp_stream stream, Hub& hub, WebSocketOptions const& options);

  // Completes the upgrade the client asked for, then admits or refuses it.
  void start(http::request<http::string_body> upgrade_request);

  void deliver(SharedText text) override;
  void close(CloseCode code, std::string reason) override;

  asio::any_io_executor executor() const { return executor_; }

 private:
  // A frame waiting to be written: a text message, or the close frame that ends the queue.
  struct Outgoing {
    SharedText text;
    std::optional<websocket::close_reason> close;
  };

  asio::awaitable<void> run(http::request<http::string_body> upgrade_request);
  void admit(std::string_view path);
  void refuse(CloseCode code, std::string_view reason);
  void leave_on_close_frame();
  asio::awaitable<std::string> echo_until_closed();
  void echo();

  void enqueue(Outgoing item);
  void enqueue_close(CloseCode code, std::string_view reason);
  void write_front();
  void on_written(error_code error);

  asio::any_io_executor executor_;  // the connection's strand, which other threads post to
  websocket::stream<beast::tcp_stream> ws_;
  Hub& hub_;
  std::optional<ClientId> id_;  // set once the hub has admitted us
  beast::flat_buffer read_buffer_;
  std::deque<Outgoing> queue_;
  bool handshake_done_ = false;
  bool close_queued_ = false;
  std::optional<CloseCode> closing_with_;  // the close code we sent, to tell why the connection ended
};

}  // namespace wshub
