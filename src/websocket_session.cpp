// A WebSocket client's life: upgrade, admission, echo, ordered writes, close.
#include "websocket_session.hpp"

#include <spdlog/spdlog.h>

#include "client_id.hpp"
#include "routes.hpp"
#include "spawn.hpp"
#include "version.hpp"

namespace wshub {
namespace {

constexpr std::string_view echo_prefix = "Server echo: ";
// A buffer grown for one large message is given back, so that a 16 MiB message does not pin 16 MiB for the
// rest of the connection's life.
constexpr std::size_t retained_read_buffer_bytes = 64 * 1024;

}  // namespace

WebSocketSession::WebSocketSession(beast::tcp_stream stream, Hub& hub, WebSocketOptions const& options)
    : executor_(stream.get_executor()), ws_(std::move(stream)), hub_(hub) {
  // The WebSocket layer keeps its own timeouts; the HTTP request deadline must not carry over.
  beast::get_lowest_layer(ws_).expires_never();
  ws_.set_option(websocket::stream_base::timeout{
      .handshake_timeout = options.handshake_timeout,
      .idle_timeout = options.idle_timeout,
      .keep_alive_pings = true,
  });
  ws_.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& response) { response.set(http::field::server, std::string("wshub/") + version); }));
  ws_.read_message_max(options.max_message_bytes);
  ws_.text(true);
  // One frame per message: Beast would otherwise cut large messages into write-buffer-sized frames.
  ws_.auto_fragment(false);
}

void WebSocketSession::start(http::request<http::string_body> upgrade_request) {
  spawn_owned(shared_from_this(), run(std::move(upgrade_request)), "WebSocket session");
}

void WebSocketSession::deliver(SharedText text) {
  asio::post(executor_, [self = shared_from_this(), text = std::move(text)]() mutable {
    self->enqueue({.text = std::move(text), .close = std::nullopt});
  });
}

void WebSocketSession::close(CloseCode code, std::string reason) {
  asio::post(executor_,
             [self = shared_from_this(), code, reason = std::move(reason)] { self->enqueue_close(code, reason); });
}

asio::awaitable<void> WebSocketSession::run(http::request<http::string_body> upgrade_request) {
  // Join before answering, so that a client that has seen 101 is already listed and counted by broadcasts.
  admit(routes::path_of(upgrade_request.target()));
  auto const [error] = co_await ws_.async_accept(upgrade_request, as_result);
  if (error) {
    // Beast has already answered a malformed handshake with 400.
    if (id_) hub_.leave(*id_, this);
    co_return;
  }
  handshake_done_ = true;
  if (!queue_.empty()) write_front();
  if (!id_) co_return;  // refused: the queued close frame is on its way
  spdlog::debug("client {} connected ({} connected)", *id_, hub_.client_count());
  std::string const why = co_await echo_until_closed();
  hub_.leave(*id_, this);
  spdlog::debug("client {} disconnected: {} ({} connected)", *id_, why, hub_.client_count());
}

void WebSocketSession::admit(std::string_view path) {
  auto const parsed = parse_client_id(path);
  if (!parsed.id) return refuse(CloseCode::policy_violation, parsed.error);
  switch (hub_.join(*parsed.id, shared_from_this())) {
    case JoinOutcome::joined:
      id_ = parsed.id;
      leave_on_close_frame();
      return;
    case JoinOutcome::duplicate_id:
      return refuse(CloseCode::policy_violation, fmt::format("client id {} is already connected", *parsed.id));
    case JoinOutcome::shutting_down:
      return refuse(CloseCode::going_away, shutting_down_reason);
  }
}

void WebSocketSession::refuse(CloseCode code, std::string_view reason) {
  spdlog::debug("refused a client with {}: {}", static_cast<int>(code), reason);
  enqueue_close(code, reason);
}

void WebSocketSession::leave_on_close_frame() {
  // Leave the moment the client's close frame arrives, before Beast answers it: a client that reconnects as soon
  // as its close handshake is done must find its id free. (Beast calls this only for a close the client starts.)
  ws_.control_callback([this](websocket::frame_type kind, beast::string_view) {
    if (kind == websocket::frame_type::close) hub_.leave(*id_, this);
  });
}

asio::awaitable<std::string> WebSocketSession::echo_until_closed() {
  for (;;) {
    auto const [error, bytes] = co_await ws_.async_read(read_buffer_, as_result);
    if (error && closing_with_)
      co_return fmt::format("closed by the server with code {}", static_cast<int>(*closing_with_));
    if (error == websocket::error::closed) co_return fmt::format("closed with code {}", ws_.reason().code);
    if (error) co_return error.message();
    if (!ws_.got_text()) {
      enqueue_close(CloseCode::unsupported_data, binary_unsupported_reason);
      co_return "sent a binary message";
    }
    echo();
  }
}

void WebSocketSession::echo() {
  auto const message = read_buffer_.cdata();
  auto reply = std::make_shared<std::string>();
  reply->reserve(echo_prefix.size() + message.size());
  reply->append(echo_prefix).append(static_cast<char const*>(message.data()), message.size());
  read_buffer_.clear();
  if (read_buffer_.capacity() > retained_read_buffer_bytes) read_buffer_.shrink_to_fit();
  enqueue({.text = std::move(reply), .close = std::nullopt});
}

void WebSocketSession::enqueue(Outgoing item) {
  if (close_queued_) return;  // nothing may follow a close frame
  close_queued_ = item.close.has_value();
  queue_.push_back(std::move(item));
  // Beast allows one write in flight per stream; on_written starts the next one. Nothing is written before
  // the handshake has been answered.
  if (queue_.size() == 1 && handshake_done_) write_front();
}

void WebSocketSession::enqueue_close(CloseCode code, std::string_view reason) {
  // RFC 6455 caps a close reason at 123 bytes, and Beast throws on a longer one.
  websocket::close_reason close{static_cast<websocket::close_code>(code), reason.substr(0, max_close_reason_bytes)};
  if (!close_queued_) closing_with_ = code;
  enqueue({.text = nullptr, .close = close});
}

void WebSocketSession::write_front() {
  Outgoing const& item = queue_.front();
  // Generic so that it fits both completions: close gives (error), write gives (error, bytes).
  auto on_done = [self = shared_from_this()](error_code error, auto...) { self->on_written(error); };
  if (item.close) {
    ws_.async_close(*item.close, std::move(on_done));
  } else {
    ws_.async_write(asio::buffer(*item.text), std::move(on_done));
  }
}

void WebSocketSession::on_written(error_code error) {
  queue_.pop_front();
  if (error) {
    // The connection is broken: drop the rest and close the socket so that the read loop ends too.
    queue_.clear();
    close_queued_ = true;
    beast::get_lowest_layer(ws_).close();
    return;
  }
  if (!queue_.empty()) write_front();
}

}  // namespace wshub
