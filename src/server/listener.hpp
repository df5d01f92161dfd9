// Accepts TCP connections on the main I/O thread and gives each one, round robin over the I/O threads, to an
// HttpSession; stops on the shutdown coordinator's word.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "ops/rate_limited_log.hpp"
#include "protocol/deflater_budget.hpp"
#include "protocol/net.hpp"
#include "server/http_connections.hpp"
#include "server/http_session.hpp"
#include "server/io_threads.hpp"
#include "server/reloadable_tls_context.hpp"
#include "server/stoppable_server.hpp"
#include "server/tls_context.hpp"

namespace wshub {

struct ListenerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8000;
  std::optional<TlsOptions> tls;  // set: the port speaks TLS only
};

// The address could not be resolved or bound; the message names the setting.
class ListenError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Its handlers (the accept loop, stop's step) hold a plain `this`: its owner (main) destroys it only after every
// I/O thread has stopped and joined, and a handler still queued then is destroyed uncalled.
class Listener final : public StoppableServer {
 public:
  // Loads the TLS pair, if any, and binds at once, so that a bad certificate or a taken port is reported before
  // anything else starts (TlsSetupError, ListenError).
  // context_deflaters must outlive the I/O threads: a session still queued when they stop is destroyed with its
  // io_context, after the listener, and gives its deflater back then.
  Listener(IoThreads& threads, ListenerOptions const& options, HttpApi const& api, Hub& hub, Metrics& metrics,
           HttpOptions const& http_options, WebSocketOptions const& websocket_options,
           DeflaterBudget& context_deflaters);

  // "http://HOST:PORT" (https with TLS) with the port actually bound (the kernel's choice when asked for port 0).
  std::string url() const;
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  void start();
  void stop(Completion<void()> on_stopped) override;
  // Loads the TLS certificate and key again for new connections (SIGHUP); says so when the port speaks plain HTTP.
  void reload_tls();

 private:
  asio::awaitable<void> accept_loop();
  // Accepts the connections waiting, at most a batch; returns why it stopped: would_block once none is left, no
  // error after a full batch.
  error_code accept_waiting();
  void start_connection(int fd);

  IoThreads& threads_;
  tcp::acceptor acceptor_;
  tcp protocol_ = tcp::v4();  // the bound address's, for the sockets accept4 creates
  HttpConnections connections_;
  std::optional<ReloadableTlsContext> tls_;
  ConnectionContext context_;
  // Out of file descriptors, accept fails ten times a second until one is free: one line in ten seconds is enough.
  RateLimitedLog accept_failures_{spdlog::level::warn, 1, std::chrono::seconds(10)};
};

}  // namespace wshub
