// Binds the listening socket and runs the accept loop.
#include "server/listener.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <tuple>

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detail/socket_ops.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/socket_base.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/version.hpp>

#include "ops/logging.hpp"
#include "server/connection_types.hpp"
#include "server/spawn.hpp"

namespace wshub {
namespace {

// Running out of file descriptors makes accept fail at once; waiting a moment keeps the loop from spinning.
constexpr auto accept_retry_delay = std::chrono::milliseconds(100);
// Connections taken in one go before the other handlers of the first thread get their turn.
constexpr std::size_t accept_batch = 64;

// Asio cannot adopt a socket that is already non-blocking without asking the kernel again (ioctl FIONBIO):
// this records in Asio's state what non_blocking(true) would record, and makes no syscall. Measured on 2,000 idle
// handshakes (strace -c -f on the server): 2,001 ioctl calls with non_blocking(true), none with this, of about 6.5
// syscalls per connection. The ioctl takes 0.3 us (timed in a loop), 1% of a handshake's 30 us of server CPU: too
// little to see end to end, but the size of the margin to Bun's handshake (docs/benchmarks.md). It sets a private
// bit through a protected member, so it is held to the one Asio it was read from.
static_assert(BOOST_VERSION == 108100,
              "NonBlockingSocket sets a bit of Boost 1.81's socket state: check it against this Asio, or call "
              "socket.non_blocking(true) instead");
class NonBlockingSocket : public ConnectionSocket {
 public:
  static void adopt(ConnectionSocket& socket) {
    auto& implementation = (socket.*&NonBlockingSocket::impl_).get_implementation();
    implementation.state_ |= asio::detail::socket_ops::non_blocking;
  }
};

tcp::endpoint resolve(ListenerOptions const& options) {
  asio::io_context resolver_context;
  tcp::resolver resolver(resolver_context);
  error_code error;
  auto const results = resolver.resolve(options.host, std::to_string(options.port),
                                        tcp::resolver::numeric_service | tcp::resolver::passive, error);
  if (error || results.empty()) {
    throw ListenError(fmt::format("cannot resolve --host/HOST \"{}\": {}", options.host, error.message()));
  }
  return results.begin()->endpoint();
}

void bind(tcp::acceptor& acceptor, tcp::endpoint const& endpoint, ListenerOptions const& options) {
  error_code error;
  acceptor.open(endpoint.protocol(), error);
  if (!error) acceptor.set_option(asio::socket_base::reuse_address(true), error);
  if (!error) acceptor.bind(endpoint, error);
  if (!error) acceptor.listen(asio::socket_base::max_listen_connections, error);
  if (!error) acceptor.non_blocking(true, error);  // the accept loop takes connections until EAGAIN
  if (error) {
    throw ListenError(fmt::format("cannot listen on --host/HOST \"{}\" --port/PORT {}: {}", options.host, options.port,
                                  error.message()));
  }
}

}  // namespace

Listener::Listener(IoThreads& threads, ListenerOptions const& options, HttpApi const& api, Hub& hub, Metrics& metrics,
                   HttpOptions const& http_options, WebSocketOptions const& websocket_options,
                   DeflaterBudget& context_deflaters)
    : threads_(threads),
      acceptor_(threads.main()),
      connections_(acceptor_.get_executor()),
      context_{.api = api,
               .hub = hub,
               .metrics = metrics,
               .connections = connections_,
               .context_deflaters = context_deflaters,
               .http = http_options,
               .websocket = websocket_options} {
  if (options.tls) tls_.emplace(acceptor_.get_executor(), *options.tls, metrics);
  auto const endpoint = resolve(options);
  bind(acceptor_, endpoint, options);
  protocol_ = endpoint.protocol();
}

void Listener::start() {
  if (tls_) tls_->start();
  asio::co_spawn(acceptor_.get_executor(), accept_loop(), [](std::exception_ptr error) {
    if (error) log_event(spdlog::level::critical, {}, "the accept loop stopped: no new connections will be accepted");
  });
}

std::string Listener::url() const {
  auto const endpoint = acceptor_.local_endpoint();
  auto const address = endpoint.address();
  std::string const host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  return fmt::format("{}://{}:{}", tls_ ? "https" : "http", host, endpoint.port());
}

void Listener::stop(Completion<void()> on_stopped) {
  asio::post(acceptor_.get_executor(), [this, on_stopped = std::move(on_stopped)]() mutable {
    error_code ignored;
    acceptor_.close(ignored);
    if (tls_) tls_->stop();
    connections_.stop_all(std::move(on_stopped));
  });
}

void Listener::reload_tls() {
  if (tls_) {
    tls_->reload("SIGHUP");
  } else {
    log_event(spdlog::level::info, {{"signal", "SIGHUP"}},
              "received SIGHUP: nothing to reload, the port speaks plain HTTP (no --tls-cert-file)");
  }
}

asio::awaitable<void> Listener::accept_loop() {
  asio::steady_timer retry_timer(acceptor_.get_executor());
  while (acceptor_.is_open()) {
    // Take every connection waiting, then wait until the listening socket is readable again.
    error_code error = accept_waiting();
    if (!error) {
      // A full batch: let the connections' handlers run before taking more.
      co_await asio::post(acceptor_.get_executor(), asio::use_awaitable);
      continue;
    }
    if (error == asio::error::would_block) {
      std::tie(error) = co_await acceptor_.async_wait(tcp::acceptor::wait_read, as_result);
      if (error == asio::error::operation_aborted) co_return;
    }
    if (error && error != asio::error::would_block) {
      auto const reason = error.message();
      LogField const fields[] = {{"reason", reason}};
      accept_failures_.write(fmt::format("accept failed: {}", reason), fields);
      retry_timer.expires_after(accept_retry_delay);
      co_await retry_timer.async_wait(as_result);
    }
  }
}

error_code Listener::accept_waiting() {
  for (std::size_t accepted = 0; accepted < accept_batch; ++accepted) {
    // accept4 makes the socket non-blocking as it creates it: Asio's accept would take a second syscall (an ioctl).
    int const fd = ::accept4(acceptor_.native_handle(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0 && (errno == EINTR || errno == ECONNABORTED)) continue;  // the client left before we took it
    if (fd < 0) return {errno, boost::system::system_category()};
    start_connection(fd);
  }
  return {};
}

void Listener::start_connection(int fd) {
  // Nagle's algorithm would hold a small write back until the client acknowledged the previous one, which a client
  // delays by up to 40 ms: the TLS handshake's session tickets and the 101 that follows them, or a broadcast that
  // follows an echo. Each batch is already one write, so nothing is gained by holding it (Python's asyncio, Bun and
  // uWebSockets set it too).
  int const on = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  // The connection lives on the thread it is accepted for: its handlers never run concurrently.
  ConnectionSocket socket(threads_.next());
  error_code error;
  socket.assign(protocol_, fd, error);
  if (error) {
    log_event(spdlog::level::warn, {{"reason", error.message()}}, "could not start a connection: {}", error.message());
    ::close(fd);
    return;
  }
  // Every connection's I/O is non-blocking; the WebSocket session reads and writes at once.
  NonBlockingSocket::adopt(socket);
  try {
    auto transport =
        tls_ ? ConnectionTransport(std::move(socket), tls_->current()) : ConnectionTransport(std::move(socket));
    std::make_shared<HttpSession>(std::move(transport), context_)->start();
  } catch (std::exception const& e) {
    log_event(spdlog::level::err, {{"reason", e.what()}}, "could not start a connection: {}", e.what());
  }
}

}  // namespace wshub
