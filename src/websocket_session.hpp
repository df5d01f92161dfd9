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
};

class WebSocketSession final : public HubClient, public std::enable_shared_from_this<WebSocketSession> {
 public:
  WebSocketSession(beast::tcp_stream stream, Hub& hub, WebSocketOptions const& options);

  // Completes the upgrade the client asked for, then admits or refuses it.
  void start(http::request<http::string_body> upgrade_request);

  void deliver(SharedText text) override;
  void close(CloseCode code, std::string reason) override;

  asio::any_io_executor executor() { return ws_.get_executor(); }

 private:
  // A frame waiting to be written: a text message, or the close frame that ends the queue.
  struct Outgoing {
    SharedText text;
    std::optional<websocket::close_reason> close;
  };

  asio::awaitable<void> run(http::request<http::string_body> upgrade_request);
  void admit(std::string_view path);
  asio::awaitable<std::string> echo_until_closed();
  void echo();

  void enqueue(Outgoing item);
  void enqueue_close(CloseCode code, std::string_view reason);
  void write_front();
  void on_written(error_code error);

  websocket::stream<beast::tcp_stream> ws_;
  Hub& hub_;
  std::optional<ClientId> id_;  // set once the hub has admitted us
  beast::flat_buffer read_buffer_;
  std::deque<Outgoing> queue_;
  bool handshake_done_ = false;
  bool close_queued_ = false;
};

}  // namespace wshub
