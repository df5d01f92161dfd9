// Reads HTTP requests on one connection and answers them, keeping the connection alive between requests.
#include "server/http_session.hpp"

#include <algorithm>
#include <array>
#include <span>
#include <tuple>

#include <spdlog/spdlog.h>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "ops/logging.hpp"
#include "protocol/http_date.hpp"
#include "protocol/request_rules.hpp"
#include "protocol/routes.hpp"
#include "protocol/upgrade_request.hpp"
#include "protocol/websocket_handshake.hpp"
#include "server/first_request_timeouts.hpp"
#include "server/rejection_log.hpp"
#include "server/remote_address.hpp"
#include "server/spawn.hpp"

namespace wshub {
namespace {

// Enough for any request line and headers a client of this API sends in one go.
constexpr std::size_t first_read_bytes = 4096;
// After refusing a request we read (and drop) what the client is still sending for this long, so that
// closing with unread data does not reset the connection before the client has read our answer.
constexpr auto linger_timeout = std::chrono::seconds(2);

// A new connection's first read lands here: a connection that is upgraded at once never allocates a read buffer.
std::span<char> thread_first_read_buffer() {
  thread_local std::array<char, first_read_bytes> buffer;
  return buffer;
}

Counter rejection_counter(http::status status) {
  switch (status) {
    case http::status::payload_too_large:
      return Counter::http_rejected_body_too_large;
    case http::status::request_header_fields_too_large:
      return Counter::http_rejected_headers_too_large;
    default:
      return Counter::http_rejected_bad_request;
  }
}

bool expects_continue(HttpRequestParser const& parser) {
  return beast::iequals(parser.get()[http::field::expect], "100-continue");
}

}  // namespace

HttpSession::HttpSession(ConnectionTransport transport, ConnectionContext& context)
    : executor_(transport.get_executor()),
      stream_(std::move(transport)),
      buffer_(context.http.limits.max_header_bytes),
      context_(context) {}

void HttpSession::start() {
  context_.connections.add(shared_from_this());
  spawn_owned(shared_from_this(), run(), "HTTP connection");
}

void HttpSession::stop() {
  asio::post(executor_, [self = shared_from_this()] {
    self->stopping_ = true;
    if (self->idle_ && !self->next_request_has_begun()) self->stream_.cancel();
  });
}

asio::awaitable<void> HttpSession::run() {
  try {
    co_await serve_requests();
  } catch (std::exception const& e) {
    log_event(spdlog::level::err, {{"remote", remote_address(stream_.socket())}, {"reason", e.what()}},
              "HTTP connection failed: {}", e.what());
  }
  if (!handed_over_) {
    error_code ignored;
    stream_.transport().shutdown(tcp::socket::shutdown_send, ignored);
  }
  context_.connections.remove(this);
}

asio::awaitable<void> HttpSession::serve_requests() {
  if (!co_await await_tls_handshake()) co_return;
  for (bool more = co_await await_first_request(); more; more = co_await await_next_request()) {
    HttpRequestParser parser;
    ChunkExtensionBudget extensions(context_.http.limits);
    limit_request(parser, extensions, context_.http.limits);
    if (auto const error = co_await read_request(parser)) {
      co_await refuse_unreadable(error);
      break;
    }
    HttpRequest request = parser.release();
    if (is_websocket_upgrade(request)) {
      co_await upgrade(std::move(request));
      break;
    }
    auto response = co_await answer(request);
    if (stopping_) response.keep_alive(false);
    response.set(http::field::date, http_date_now());
    stream_.expires_after(context_.http.request_timeout);
    auto const [error, bytes] = co_await http::async_write(stream_, response, as_result);
    if (error || !response.keep_alive()) break;
  }
}

asio::awaitable<bool> HttpSession::await_tls_handshake() {
  if (!stream_.transport().is_tls()) co_return true;
  stream_.expires_after(context_.http.request_timeout);
  auto const [error, bytes] = co_await stream_.async_handshake(as_result);
  stream_.expires_never();  // the first request is timed by FirstRequestTimeouts
  if (!error) {
    context_.metrics.add(stream_.transport().tls_resumed() ? Counter::tls_handshakes_resumed
                                                           : Counter::tls_handshakes_full);
    co_return true;
  }
  if (error == beast::error::timeout) {
    context_.metrics.add(Counter::http_rejected_request_timeout);
    context_.metrics.add(Counter::tls_handshakes_timed_out);
    log_rejection(stream_.socket(), {},
                  "dropped a connection that took longer than the request timeout to finish its "
                  "TLS handshake");
    co_return false;
  }
  auto const reason = error.message();
  // Gone (a FIN or a reset, as TCP health checks leave): nothing to refuse, and nothing left to linger for.
  bool const client_left =
      error == asio::error::eof || error == asio::error::connection_reset || error == asio::error::broken_pipe;
  if (client_left) {
    context_.metrics.add(Counter::tls_handshakes_abandoned);
    log_rejection(stream_.socket(), {{"reason", reason}}, "a client left during its TLS handshake: {}", reason);
    co_return false;
  }
  context_.metrics.add(Counter::tls_handshakes_failed);
  log_rejection(stream_.socket(), {{"reason", reason}}, "refused a TLS handshake: {}", reason);
  // Plain HTTP or garbage: what the client still sends is read raw and dropped, so that the close is a FIN, not a
  // reset that could destroy our close_notify or the client's view of the close.
  stream_.transport().drop_tls();
  co_await linger_close();
  co_return false;
}

asio::awaitable<bool> HttpSession::await_first_request() {
  if (stopping_) co_return next_request_has_begun();
  idle_ = true;
  FirstRequestTimeouts::of(stream_.socket().get_executor().context()).wait(*this, context_.http.keep_alive_timeout);
  // Read what is there; wait for more without holding a buffer (the client may not have sent anything yet).
  // No more than the connection's own buffer could hold, where anything but a plain upgrade goes next.
  auto const buffer = thread_first_read_buffer().first(std::min(first_read_bytes, buffer_.max_size()));
  error_code error;
  std::size_t bytes = 0;
  for (;;) {
    bytes = stream_.transport().read_some(asio::buffer(buffer.data(), buffer.size()), error);
    if (error != asio::error::would_block) break;
    std::tie(error) = co_await stream_.transport().async_wait(tcp::socket::wait_read, as_result);
    if (error) break;
  }
  FirstRequestTimeouts::leave(*this);
  idle_ = false;
  if (error || bytes == 0) co_return false;
  auto const received = buffer.first(bytes);
  if (upgrade_at_once({received.data(), received.size()})) co_return false;
  // Anything else is Beast's, from the same bytes the connection's own buffer would have held.
  buffer_.commit(asio::buffer_copy(buffer_.prepare(bytes), asio::buffer(received.data(), received.size())));
  co_return true;
}

void HttpSession::on_first_request_timeout() {
  // The same end as a keep-alive timeout: the connection closes without an answer.
  error_code ignored;
  stream_.socket().cancel(ignored);
}

asio::awaitable<HttpResponse> HttpSession::answer(HttpRequest const& request) {
  // The API posts its answer to the handler's executor, the coroutine's: it resumes on this connection's thread.
  return asio::async_initiate<decltype(asio::use_awaitable), void(HttpResponse)>(
      [this, &request](auto handler) { context_.api.handle(request, std::move(handler)); }, asio::use_awaitable);
}

bool HttpSession::next_request_has_begun() {
  // Bytes still in the socket, or read ahead into OpenSSL, count too: the client has sent them, so the request is
  // in flight.
  error_code ignored;
  return buffer_.size() > 0 || stream_.transport().holds_input() || stream_.socket().available(ignored) > 0;
}

asio::awaitable<bool> HttpSession::await_next_request() {
  if (buffer_.size() > 0) co_return true;  // a pipelined request is already here
  // Only a stopping connection needs to look into the socket; a live one simply waits for the bytes below.
  if (stopping_) co_return next_request_has_begun();
  // Idle between requests: the only state in which stop() may cancel, since no request has begun.
  idle_ = true;
  stream_.expires_after(context_.http.keep_alive_timeout);
  auto const [error, bytes] =
      co_await stream_.async_read_some(buffer_.prepare(std::min(first_read_bytes, buffer_.max_size())), as_result);
  idle_ = false;
  buffer_.commit(bytes);
  co_return !error && bytes > 0;
}

asio::awaitable<error_code> HttpSession::read_request(HttpRequestParser& parser) {
  stream_.expires_after(context_.http.request_timeout);
  auto [error, bytes] = co_await http::async_read_header(stream_, buffer_, parser, as_result);
  // Beast holds the request line and the fields to the limit separately; the limit is for the head as a whole. A head
  // that fills the request buffer is over it too, whether Beast or the buffer noticed first.
  bool const head_too_large = !error && bytes > context_.http.limits.max_header_bytes;
  if (head_too_large || error == http::error::buffer_overflow) error = http::error::header_limit;
  // Before the body is read: a request refused here closes the connection, so its body is never read as a request.
  if (!error) error = check_request_head(parser.get());
  if (!error && expects_continue(parser)) {
    http::response<http::empty_body> go_on{http::status::continue_, parser.get().version()};
    std::tie(error, bytes) = co_await http::async_write(stream_, go_on, as_result);
  }
  if (!error) std::tie(error, bytes) = co_await http::async_read(stream_, buffer_, parser, as_result);
  co_return error;
}

asio::awaitable<void> HttpSession::refuse_unreadable(error_code error) {
  if (error == beast::error::timeout) {
    context_.metrics.add(Counter::http_rejected_request_timeout);
    log_rejection(stream_.socket(), {},
                  "dropped a connection that took longer than the request timeout to send its request");
  }
  auto response = answer_unreadable_request(error, context_.http.limits);
  if (!response) co_return;  // the client left or was too slow: nobody to answer
  context_.metrics.add(rejection_counter(response->result()));
  response->set(http::field::date, http_date_now());
  auto const status = response->result_int();
  log_rejection(stream_.socket(), {{"status", status}, {"reason", error.message()}},
                "refused an HTTP request with {}: {}", status, error.message());
  stream_.expires_after(context_.http.request_timeout);
  auto const [write_error, bytes] = co_await http::async_write(stream_, *response, as_result);
  if (!write_error) co_await linger_close();
}

asio::awaitable<void> HttpSession::linger_close() {
  error_code ignored;
  stream_.transport().shutdown(tcp::socket::shutdown_send, ignored);
  stream_.expires_after(linger_timeout);
  std::array<char, 4096> discard{};
  for (;;) {
    auto const [error, bytes] = co_await stream_.async_read_some(asio::buffer(discard), as_result);
    if (error) co_return;
  }
}

asio::awaitable<void> HttpSession::upgrade(HttpRequest request) {
  auto answer = answer_websocket_handshake(request, handshake_context());
  if (answer.refused) {
    bool const forbidden = answer.status == http::status::forbidden;
    context_.metrics.add(forbidden ? Counter::http_rejected_forbidden_origin : Counter::http_rejected_bad_request);
    auto const status = static_cast<int>(answer.status);
    log_rejection(stream_.socket(), {{"status", status}}, "refused a WebSocket handshake with {}", status);
    stream_.expires_after(context_.http.request_timeout);
    auto const [error, bytes] = co_await asio::async_write(stream_, asio::buffer(answer.bytes), as_result);
    if (!error) co_await linger_close();
    co_return;
  }
  std::string_view const buffered(static_cast<char const*>(buffer_.cdata().data()), buffer_.size());
  hand_over(request.target(), buffered, std::move(answer));
}

bool HttpSession::upgrade_at_once(std::string_view received) {
  auto const request = scan_upgrade_request(received, context_.http.limits.max_header_bytes);
  if (!request) return false;
  auto answer = answer_websocket_handshake(request->fields, handshake_context());
  // A refusal is rare: Beast reads the request again and answers it, counted and logged as always.
  if (answer.refused) return false;
  hand_over(request->target, received.substr(request->head_bytes), std::move(answer));
  return true;
}

HandshakeContext HttpSession::handshake_context() const {
  return {.allowed_origins = context_.http.allowed_origins,
          .date = http_date_now(),
          .deflate = {.enabled = context_.websocket.deflate.enabled,
                      // A server that keeps no history says so, and the client's inflater may drop its window.
                      .server_no_context_takeover = context_.websocket.deflate.max_context_deflaters == 0}};
}

void HttpSession::hand_over(std::string_view target, std::string_view early_bytes, HandshakeAnswer answer) {
  handed_over_ = true;
  stream_.expires_never();
  auto session = std::make_shared<WebSocketSession>(stream_.release_transport(), std::string(early_bytes),
                                                    answer.deflate, context_.hub, context_.websocket,
                                                    context_.context_deflaters, context_.metrics);
  session->start(routes::path_of(target), std::move(answer.bytes));
}

}  // namespace wshub
