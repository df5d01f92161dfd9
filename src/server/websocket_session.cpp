// A WebSocket client's life: upgrade, admission, echo, corked writes, keepalive, backpressure, close.
#include "server/websocket_session.hpp"

#include <array>

#include <spdlog/spdlog.h>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>

#include "hub/client_id.hpp"
#include "ops/logging.hpp"
#include "protocol/routes.hpp"
#include "server/keepalive.hpp"
#include "server/rejection_log.hpp"
#include "server/remote_address.hpp"

namespace wshub {
namespace {

constexpr std::string_view echo_prefix = "Server echo: ";
// Asio gathers at most this many buffers into one write.
constexpr std::size_t max_buffers_per_write = 64;
// A per-thread or per-connection buffer grown past this for one large message is given back afterwards.
constexpr std::size_t retained_buffer_bytes = 256 * 1024;

// Every connection on a thread reads into the same buffer, so an idle connection holds no read buffer at all.
std::span<char> thread_read_buffer() {
  thread_local std::array<char, 64 * 1024> buffer;
  return buffer;
}

// The replies produced while handling one read are gathered here and written with one syscall ("corking"):
// a read of 50 messages costs one write, not 50.
std::string& thread_cork_buffer() {
  thread_local std::string cork;
  return cork;
}

// Where a frame is encoded before it joins a client's queue, so that encoding allocates nothing.
std::string& thread_scratch_buffer() {
  thread_local std::string scratch;
  return scratch;
}

// Why a client left when the server had started the close with `code`.
Counter disconnect_reason(CloseCode code) {
  switch (code) {
    case CloseCode::normal:
      return Counter::disconnects_normal;
    case CloseCode::going_away:
      return Counter::disconnects_shutdown;
    case CloseCode::message_too_big:
      return Counter::disconnects_message_too_big;
    default:
      return Counter::disconnects_error;
  }
}

}  // namespace

WebSocketSession::WebSocketSession(ConnectionSocket socket, std::string early_bytes, Hub& hub,
                                   WebSocketOptions const& options, Metrics& metrics)
    : executor_(socket.get_executor()),
      socket_(std::move(socket)),
      timer_(executor_),
      hub_(hub),
      options_(options),
      metrics_(metrics),
      reader_(options.max_message_bytes),
      pending_(std::move(early_bytes)) {}

void WebSocketSession::start(std::string_view path, std::string switching_protocols) {
  // The listener made the socket non-blocking: we read and write only what it takes at once.
  // The 101 goes first in the queue: whatever else the client is sent lines up behind it.
  queue_.append(switching_protocols);
  last_heard_ = std::chrono::steady_clock::now();
  arm_timer(options_.ping_interval);
  // The 101 waits in the queue until the hub (and the cluster behind it) has answered, so that a client that has
  // seen it is already listed and counted by broadcasts; its messages wait in the socket until then too.
  awaiting_admission_ = true;
  admit(path);
}

void WebSocketSession::deliver(SharedFrame frame) {
  asio::post(executor_, [self = shared_from_this(), frame = std::move(frame)]() mutable {
    if (self->state_ == State::open) self->send_shared(std::move(frame));
  });
}

void WebSocketSession::close(CloseCode code, std::string reason) {
  asio::post(executor_, [self = shared_from_this(), code, reason = std::move(reason)] {
    if (self->state_ != State::closed) self->start_close(code, reason);
  });
}

void WebSocketSession::admit(std::string_view path) {
  auto const parsed = parse_client_id(path);
  if (!parsed.id) {
    metrics_.add(Counter::connections_invalid_id);
    refuse(CloseCode::policy_violation, parsed.error);
    return on_admission_answered(Answered::at_once);
  }
  auto const id = *parsed.id;
  // A single node answers at once; a cluster answers later, on this connection's thread.
  auto const outcome = hub_.join(id, shared_from_this(),
                                 asio::bind_executor(executor_, [self = shared_from_this(), id](JoinOutcome later) {
                                   self->on_join(id, later, Answered::later);
                                 }));
  if (outcome) on_join(id, *outcome, Answered::at_once);
}

void WebSocketSession::on_join(ClientId id, JoinOutcome outcome, Answered answered) {
  if (state_ == State::closed) {  // the connection ended while the cluster was asked
    if (outcome == JoinOutcome::joined) hub_.leave(id, this);
    return;
  }
  switch (outcome) {
    case JoinOutcome::joined:
      metrics_.add(Counter::connections_accepted);
      id_ = id;
      if (spdlog::should_log(spdlog::level::debug)) {
        auto const remote = remote_address(socket_);
        auto const connected = hub_.client_count();
        log_event(spdlog::level::debug, {{"client_id", id}, {"remote", remote}, {"connected", connected}},
                  "client {} connected from {} ({} connected)", id, remote, connected);
      }
      break;
    case JoinOutcome::duplicate_id:
      metrics_.add(Counter::connections_duplicate_id);
      refuse(CloseCode::policy_violation, fmt::format("client id {} is already connected", id));
      break;
    case JoinOutcome::shutting_down:
      metrics_.add(Counter::connections_shutting_down);
      refuse(CloseCode::going_away, shutting_down_reason);
      break;
    case JoinOutcome::over_limit:
      metrics_.add(Counter::connections_over_limit);
      refuse(CloseCode::try_again_later, over_limit_reason);
      break;
  }
  on_admission_answered(answered);
}

void WebSocketSession::on_admission_answered(Answered answered) {
  awaiting_admission_ = false;
  flush();
  if (state_ != State::closed && !pending_.empty()) consume({});
  if (state_ == State::closed) return;
  // Answered at once, no epoll_wait has run since the first read: whatever arrived since is still to be reported,
  // and waiting is enough (reading first would cost an EAGAIN per handshake). Answered after a turn of the event
  // loop, bytes that arrived meanwhile were already reported by epoll, which a new async_wait would not see (Asio
  // only waits for the next edge): read first.
  if (answered == Answered::at_once) return wait_readable();
  on_readable({});
}

void WebSocketSession::refuse(CloseCode code, std::string_view reason) {
  auto const close_code = static_cast<int>(code);
  log_rejection(socket_, {{"close_code", close_code}, {"reason", reason}}, "refused a client with {}: {}", close_code,
                reason);
  start_close(code, reason);
}

void WebSocketSession::wait_readable() {
  socket_.async_wait(tcp::socket::wait_read,
                     [self = shared_from_this()](error_code error) { self->on_readable(error); });
}

void WebSocketSession::on_readable(error_code error) {
  if (state_ == State::closed) return;
  if (error) return finish(error.message());
  auto const buffer = thread_read_buffer();
  auto const bytes = socket_.read_some(asio::buffer(buffer.data(), buffer.size()), error);
  if (error == asio::error::would_block) return wait_readable();
  if (error == asio::error::eof) return finish("the client closed the connection without a close frame");
  if (error) return finish(error.message());
  last_heard_ = std::chrono::steady_clock::now();
  consume(buffer.first(bytes));
  if (state_ == State::closed) return;
  // Over the cap, the client's next bytes wait in its socket: TCP stops it from sending more than the server holds.
  if (is_over_backpressure_cap()) {
    reading_paused_ = true;
    return;
  }
  // A full buffer means more may be waiting: read again once the other connections have had their turn, without
  // a round trip through epoll.
  if (bytes == buffer.size()) return asio::post(executor_, [self = shared_from_this()] { self->on_readable({}); });
  wait_readable();
}

void WebSocketSession::consume(std::span<char> bytes) {
  if (input_ignored_) return;
  std::span<char> input = bytes;
  if (!pending_.empty()) {
    pending_.append(bytes.data(), bytes.size());
    input = pending_;
  }
  corked_ = true;
  while (state_ == State::open || state_ == State::closing) {
    auto const event = reader_.next(input);
    if (event.kind == ClientEvent::Kind::need_more_bytes) break;
    handle(event);
    if (input_ignored_) break;
  }
  corked_ = false;
  keep_partial_frame(input);
  uncork();
}

void WebSocketSession::keep_partial_frame(std::span<char> rest) {
  // What is left of a frame cut off at the end of this read waits here for the rest of it.
  if (input_ignored_ || state_ == State::closed || rest.empty()) {
    std::string().swap(pending_);
  } else if (!pending_.empty()) {
    pending_.erase(0, pending_.size() - rest.size());
    // A buffer grown for one large frame is given back once that frame is through.
    if (pending_.capacity() > retained_buffer_bytes && pending_.size() * 4 < pending_.capacity()) {
      pending_.shrink_to_fit();
    }
  } else {
    pending_.assign(rest.data(), rest.size());
  }
}

void WebSocketSession::handle(ClientEvent const& event) {
  switch (event.kind) {
    case ClientEvent::Kind::text:
      if (state_ != State::open) return;
      metrics_.add(Counter::messages_received);
      metrics_.add(Counter::message_bytes_received, event.payload.size());
      send_frame(Opcode::text, echo_prefix, event.payload);
      // Still open: the echo went out or was queued, rather than failing the connection on a write error.
      if (state_ == State::open) count_sent(echo_prefix.size() + event.payload.size());
      return;
    case ClientEvent::Kind::ping:
      if (state_ == State::open) send_frame(Opcode::pong, event.payload);
      return;
    case ClientEvent::Kind::close:
      return on_close_frame(event);
    case ClientEvent::Kind::violation:
      // RFC 6455 section 7.1.7: fail the connection. What follows the violation cannot be read, so we send our
      // close frame and a FIN, and wait only for the client to close its side.
      input_ignored_ = true;
      start_close(static_cast<CloseCode>(*event.close_code), event.payload);
      return half_close_when_flushed();
    case ClientEvent::Kind::pong:
    case ClientEvent::Kind::need_more_bytes:
      return;
  }
}

void WebSocketSession::on_close_frame(ClientEvent const& event) {
  // Leave the moment the client's close frame arrives: a client that reconnects as soon as its close handshake
  // is done must find its id free.
  auto const code = event.close_code.value_or(no_status_received);
  leave_hub(closing_with_ ? disconnect_reason(*closing_with_) : Counter::disconnects_normal,
            fmt::format("closed with code {}", code), code);
  input_ignored_ = true;  // RFC 6455 section 5.5.1: nothing the client sends after its close frame counts
  // Either way the server then closes the TCP connection first (section 7.1.1): a FIN once our close frame is out,
  // then we wait for the client's.
  if (state_ == State::closing) return half_close_when_flushed();  // it answered ours, which may still be queued
  state_ = State::closing;
  arm_timer(options_.close_timeout);
  send([&event](std::string& out) { append_close_frame(out, event.close_code, {}); });  // the same code back
  half_close_when_flushed();
}

void WebSocketSession::send_frame(Opcode opcode, std::string_view first, std::string_view second) {
  send([&](std::string& out) { append_frame(out, opcode, first, second); });
}

template <typename Encode>
void WebSocketSession::send(Encode encode) {
  // While a read is handled and nothing waits, frames join the thread's cork: no allocation, one write later.
  if (corked_ && queue_.empty()) return encode(thread_cork_buffer());
  if (corked_) uncork();  // what is in the cork was sent first
  // No cap check here: the client's own replies are bounded by reading no more from it once it is over the cap.
  auto& frame = thread_scratch_buffer();
  frame.clear();
  encode(frame);
  queue_.append(frame);
  if (frame.capacity() > retained_buffer_bytes) std::string().swap(frame);
  flush();
}

void WebSocketSession::uncork() {
  auto& cork = thread_cork_buffer();
  if (cork.empty()) return;
  // The cork holds this client's bytes only while its queue is empty, so writing them first keeps the order.
  error_code error;
  auto const written = socket_.write_some(asio::buffer(cork), error);
  if (error && error != asio::error::would_block) {
    cork.clear();
    return finish(error.message());
  }
  if (written < cork.size()) {
    // Queued whole and then consumed, so that the queue knows its head chunk was started: a frame cut by the
    // write must be finished even if what has not started is dropped for a slow consumer.
    queue_.append(cork);
    queue_.consume(written);
  }
  cork.clear();
  if (cork.capacity() > retained_buffer_bytes) std::string().swap(cork);
  flush();
}

void WebSocketSession::count_sent(std::size_t payload_bytes) {
  metrics_.add(Counter::messages_sent);
  metrics_.add(Counter::message_bytes_sent, payload_bytes);
}

void WebSocketSession::send_shared(SharedFrame frame) {
  if (is_over_backpressure_cap()) return disconnect_slow_consumer();
  count_sent(frame.payload().size());
  if (!queue_.empty() || waiting_writable_) {
    queue_.push(std::move(frame));
    return flush();
  }
  // The common case: nothing waits, so the frame goes straight to the socket with one plain send, no queue.
  error_code error;
  auto const written = socket_.write_some(asio::buffer(frame.bytes()), error);
  if (error && error != asio::error::would_block) return finish(error.message());
  if (written == frame.bytes().size()) return;
  queue_.push(std::move(frame));
  queue_.consume(written);
  flush();
}

bool WebSocketSession::is_over_backpressure_cap() const {
  // Measured before adding: one message larger than the cap may go out when little else waits.
  return state_ == State::open && queue_.backlog_bytes() > options_.max_backpressure_bytes;
}

void WebSocketSession::flush() {
  if (waiting_writable_ || awaiting_admission_ || state_ == State::closed) return;
  while (!queue_.empty()) {
    std::array<asio::const_buffer, max_buffers_per_write> buffers;
    auto const count = queue_.gather(buffers);
    error_code error;
    auto const written = socket_.write_some(std::span(buffers.data(), count), error);
    if (error == asio::error::would_block) {
      waiting_writable_ = true;
      socket_.async_wait(tcp::socket::wait_write, [self = shared_from_this()](error_code error) {
        self->waiting_writable_ = false;
        if (error) return self->finish(error.message());
        self->flush();
      });
      return;
    }
    if (error) return finish(error.message());
    queue_.consume(written);
    // Half the cap, so that a client reading slowly does not flip between paused and read for every write.
    if (reading_paused_ && queue_.backlog_bytes() <= options_.max_backpressure_bytes / 2) resume_reading();
  }
  error_code ignored;
  if (half_close_when_flushed_) socket_.shutdown(tcp::socket::shutdown_send, ignored);
}

void WebSocketSession::resume_reading() {
  reading_paused_ = false;
  // Posted, since flush() runs inside other handlers; and a read first, not a wait: bytes that arrived while we
  // were not reading were reported by epoll already, and a new async_wait only sees the next edge.
  asio::post(executor_, [self = shared_from_this()] { self->on_readable({}); });
}

void WebSocketSession::start_close(CloseCode code, std::string_view reason) {
  if (state_ != State::open) return;
  state_ = State::closing;
  closing_with_ = code;
  arm_timer(options_.close_timeout);  // how long we wait for the client's close frame
  send([code, reason](std::string& out) { append_close_frame(out, static_cast<std::uint16_t>(code), reason); });
}

void WebSocketSession::disconnect_slow_consumer() {
  auto const code = static_cast<int>(CloseCode::policy_violation);
  log_event(spdlog::level::info,
            {{"client_id", *id_},
             {"remote", remote_address(socket_)},
             {"queued_bytes_limit", options_.max_backpressure_bytes},
             {"close_code", code}},
            "client {} is a slow consumer: over {} bytes queued; closing it with {}", *id_,
            options_.max_backpressure_bytes, code);
  // It gets no more broadcasts, so it must not be counted in them.
  leave_hub(Counter::disconnects_slow_consumer, slow_consumer_reason, code);
  // Drop what has not started to go out; a frame half written must be finished before the close frame.
  queue_.drop_unstarted();
  start_close(CloseCode::policy_violation, slow_consumer_reason);
}

void WebSocketSession::half_close_when_flushed() {
  half_close_when_flushed_ = true;
  if (corked_) uncork();  // the cork may hold the close frame itself
  flush();
}

void WebSocketSession::finish(std::string_view why, Counter reason) {
  if (state_ == State::closed) return;
  state_ = State::closed;
  timer_.cancel();
  // Leave before the socket closes, so that the log line can still name the client's address.
  if (closing_with_) {
    auto const code = static_cast<int>(*closing_with_);
    leave_hub(disconnect_reason(*closing_with_), fmt::format("closed by the server with code {}", code), code);
  } else {
    leave_hub(reason, why);
  }
  error_code ignored;
  socket_.close(ignored);
  queue_.clear();
}

void WebSocketSession::leave_hub(Counter reason, std::string_view why, std::optional<int> close_code) {
  if (!id_) return;
  hub_.leave(*id_, this);
  metrics_.add(reason);
  // Checked first: the arguments (the count takes the hub's lock) would be computed even if nothing is logged.
  if (spdlog::should_log(spdlog::level::debug)) {
    auto const connected = hub_.client_count();
    log_event(spdlog::level::debug,
              {{"client_id", *id_},
               {"remote", remote_address(socket_)},
               {"close_code", close_code},
               {"reason", why},
               {"connected", connected}},
              "client {} disconnected: {} ({} connected)", *id_, why, connected);
  }
  id_.reset();
}

void WebSocketSession::arm_timer(std::chrono::steady_clock::duration delay) {
  timer_.arm_after(delay, [self = shared_from_this()] { self->on_timer(); });
}

void WebSocketSession::on_timer() {
  if (state_ != State::open) return finish("timed out");
  auto const silent = std::chrono::steady_clock::now() - last_heard_;
  auto const step = keepalive_step(options_, silent, is_over_backpressure_cap());
  switch (step.action) {
    case KeepaliveStep::Action::slow_consumer:
      return disconnect_slow_consumer();
    case KeepaliveStep::Action::idle_timeout:
      return finish("idle timeout: no answer to a ping", Counter::disconnects_idle_timeout);
    case KeepaliveStep::Action::ping:
      send_frame(Opcode::ping, {});
      break;
    case KeepaliveStep::Action::wait:
      break;
  }
  arm_timer(step.next_check);
}

}  // namespace wshub
