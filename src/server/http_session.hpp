// One HTTP/1.1 connection, plain or TLS: reads requests, answers them through HttpApi, hands WebSocket upgrades on.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include "http/http_api.hpp"
#include "ops/metrics.hpp"
#include "protocol/http_request_limits.hpp"
#include "protocol/net.hpp"
#include "protocol/websocket_handshake.hpp"
#include "server/connection_types.hpp"
#include "server/first_request_timeouts.hpp"
#include "server/http_connections.hpp"
#include "server/http_stream.hpp"
#include "server/tls_context.hpp"
#include "server/websocket_session.hpp"

namespace wshub {

struct HttpOptions {
  RequestLimits limits;
  std::chrono::steady_clock::duration keep_alive_timeout = std::chrono::seconds(5);  // uvicorn's default
  // From a request's first byte to its last: a client that trickles its request (slowloris) is dropped.
  std::chrono::steady_clock::duration request_timeout = std::chrono::seconds(10);
  std::vector<std::string> allowed_origins;  // empty: any origin may open a WebSocket
};

// What every connection shares: the API, the hub and the settings. Owned by the Listener.
struct ConnectionContext {
  HttpApi const& api;
  Hub& hub;
  Metrics& metrics;
  HttpConnections& connections;
  DeflaterBudget& context_deflaters;
  HttpOptions http;
  WebSocketOptions websocket;
};

class HttpSession : public std::enable_shared_from_this<HttpSession>, private FirstRequestWaiter {
 public:
  HttpSession(ConnectionTransport transport, ConnectionContext& context);

  void start();
  // Thread-safe: closes the connection now if it is between requests, else after the current response.
  void stop();

  asio::any_io_executor executor() const { return executor_; }

 private:
  asio::awaitable<void> run();
  asio::awaitable<void> serve_requests();
  // The TLS handshake, timed as a request is; false when it failed or took too long (nothing to do when plain).
  asio::awaitable<bool> await_tls_handshake();
  // Reads the connection's first bytes into the thread's buffer and answers a plain upgrade from there; false
  // when the connection is done (upgraded, closed, timed out), true when Beast is to read a request.
  asio::awaitable<bool> await_first_request();
  void on_first_request_timeout() override;
  asio::awaitable<bool> await_next_request();
  bool next_request_has_begun();
  asio::awaitable<error_code> read_request(HttpRequestParser& parser);
  asio::awaitable<void> refuse_unreadable(error_code error);
  asio::awaitable<void> linger_close();
  asio::awaitable<void> upgrade(HttpRequest request);
  // The common case without Beast's parser: a plain upgrade request that gets its 101 (see upgrade_request).
  bool upgrade_at_once(std::string_view received);
  // The server's Origin allow list and the current Date, for a handshake answered now.
  HandshakeContext handshake_context() const;
  // Gives the socket, and what the client sent after its request, to a WebSocketSession.
  void hand_over(std::string_view target, std::string_view early_bytes, HandshakeAnswer answer);
  asio::awaitable<HttpResponse> answer(HttpRequest const& request);

  asio::any_io_executor executor_;  // the connection's thread; kept apart because the stream moves on upgrade
  HttpStream stream_;
  // Holds what Beast has not parsed yet: a head, one chunk line or a trailer section at most, so MAX_HEADER_BYTES
  // bounds it; a request that needs more is refused with 431 (http::error::buffer_overflow).
  beast::flat_buffer buffer_;
  ConnectionContext& context_;
  bool idle_ = false;
  bool stopping_ = false;
  bool handed_over_ = false;
};

}  // namespace wshub
