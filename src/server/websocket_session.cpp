// A WebSocket client's life on its socket: the 101, reads, echo, corked writes and the timer; admission, flow
// control, keepalive and the close handshake decide, and this file does what they say.
#include "server/websocket_session.hpp"

#include <array>

#include <spdlog/spdlog.h>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>

#include "hub/client_id.hpp"
#include "server/admission.hpp"
#include "server/client_log.hpp"
#include "server/io_buffers.hpp"
#include "server/keepalive.hpp"
#include "server/rejection_log.hpp"

namespace wshub {
namespace {

constexpr std::string_view echo_prefix = "Server echo: ";
// Asio gathers at most this many buffers into one write.
constexpr std::size_t max_buffers_per_write = 64;

}  // namespace

WebSocketSession::WebSocketSession(ConnectionTransport socket, std::string early_bytes,
                                   std::optional<DeflateParameters> deflate, Hub& hub, WebSocketOptions const& options,
                                   DeflaterBudget& context_deflaters, Metrics& metrics)
    : executor_(socket.get_executor()),
      socket_(std::move(socket)),
      timer_(executor_),
      hub_(hub),
      options_(options),
      metrics_(metrics),
      reader_(options.max_message_bytes, deflate.has_value()),
      compression_(deflate ? OutgoingCompression(options.deflate, *deflate, &context_deflaters)
                           : OutgoingCompression()),
      partial_frame_(std::move(early_bytes)),
      flow_(options.max_backpressure_bytes) {}

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
    if (self->handshake_.is_open()) self->send_shared(std::move(frame));
  });
}

void WebSocketSession::close(CloseCode code, std::string reason) {
  asio::post(executor_,
             [self = shared_from_this(), code, reason = std::move(reason)] { self->start_close(code, reason); });
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
  if (handshake_.has_ended()) {  // the connection ended while the cluster was asked
    if (outcome == JoinOutcome::joined) hub_.leave(id, this);
    return;
  }
  auto const verdict = admission_verdict(id, outcome);
  metrics_.add(verdict.counter);
  if (verdict.refusal) {
    refuse(verdict.refusal->code, verdict.refusal->reason);
  } else {
    id_ = id;
    log_connected(id, socket_.socket(), hub_);
  }
  on_admission_answered(answered);
}

void WebSocketSession::on_admission_answered(Answered answered) {
  awaiting_admission_ = false;
  flush();
  if (!partial_frame_.empty()) consume({});
  if (handshake_.has_ended()) return;
  // Answered at once, no epoll_wait has run since the first read: whatever arrived since is still to be reported,
  // and waiting is enough (reading first would cost an EAGAIN per handshake). Answered after a turn of the event
  // loop, bytes that arrived meanwhile were already reported by epoll, which a new async_wait would not see (Asio
  // only waits for the next edge): read first.
  if (answered == Answered::at_once) return wait_readable();
  on_readable({});
}

void WebSocketSession::refuse(CloseCode code, std::string_view reason) {
  auto const close_code = static_cast<int>(code);
  log_rejection(socket_.socket(), {{"close_code", close_code}, {"reason", reason}}, "refused a client with {}: {}",
                close_code, reason);
  start_close(code, reason);
}

void WebSocketSession::wait_readable() {
  socket_.async_wait(tcp::socket::wait_read,
                     [self = shared_from_this()](error_code error) { self->on_readable(error); });
}

void WebSocketSession::on_readable(error_code error) {
  if (handshake_.has_ended()) return;
  if (error) return finish(error.message());
  auto const buffer = thread_read_buffer();
  auto const bytes = socket_.read_some(asio::buffer(buffer.data(), buffer.size()), error);
  if (error == asio::error::would_block) return wait_readable();
  if (error == asio::error::eof) return finish("the client closed the connection without a close frame");
  if (error) return finish(error.message());
  last_heard_ = std::chrono::steady_clock::now();
  consume(buffer.first(bytes));
  if (handshake_.has_ended()) return;
  // Over the cap, the client's next bytes wait in its socket: TCP stops it from sending more than the server holds.
  if (flow_.pause_reading_if_over_cap(queue_.backlog_bytes(), handshake_.is_open())) return;
  // A full buffer means more may be waiting: read again once the other connections have had their turn, without
  // a round trip through epoll.
  if (bytes == buffer.size()) return asio::post(executor_, [self = shared_from_this()] { self->on_readable({}); });
  wait_readable();
}

void WebSocketSession::consume(std::span<char> bytes) {
  if (!handshake_.reads_input()) return;
  auto input = partial_frame_.join(bytes);
  corked_ = true;
  while (handshake_.reads_input()) {
    auto const event = reader_.next(input);
    if (event.kind == ClientEvent::Kind::need_more_bytes) break;
    handle(event);
  }
  corked_ = false;
  // What is left of a frame cut off at the end of this read waits for the rest of it.
  if (handshake_.reads_input()) {
    partial_frame_.keep(input);
  } else {
    partial_frame_.drop();
  }
  uncork();
}

void WebSocketSession::handle(ClientEvent const& event) {
  switch (event.kind) {
    case ClientEvent::Kind::text:
      if (!handshake_.is_open()) return;
      count_received(event);
      return send_echo(event.payload);
    case ClientEvent::Kind::ping:
      if (handshake_.is_open()) send_frame(Opcode::pong, event.payload);
      return;
    case ClientEvent::Kind::close:
      return on_close_frame(event);
    case ClientEvent::Kind::violation:
      // What follows a violation cannot be read: our close frame, our FIN, and we wait for the client's FIN.
      return fail(static_cast<CloseCode>(*event.close_code), event.payload);
    case ClientEvent::Kind::pong:
    case ClientEvent::Kind::need_more_bytes:
      return;
  }
}

void WebSocketSession::on_close_frame(ClientEvent const& event) {
  // Leave the moment the client's close frame arrives: a client that reconnects as soon as its close handshake
  // is done must find its id free.
  auto const code = event.close_code.value_or(no_status_received);
  auto const step = handshake_.peer_closed();
  leave_hub(step.reason, fmt::format("closed with code {}", code), code);
  if (step.answer) {
    arm_timer(options_.close_timeout);
    send([&event](std::string& out) { append_close_frame(out, event.close_code, {}); });  // the same code back
  }
  write_to_the_fin();
}

void WebSocketSession::send_frame(Opcode opcode, std::string_view first, std::string_view second) {
  send([&](std::string& out) { append_frame(out, opcode, first, second); });
}

void WebSocketSession::send_echo(std::string_view text) {
  std::size_t wire_bytes = 0;
  send([&](std::string& out) { wire_bytes = compression_.append_text_frame(out, echo_prefix, text); });
  // Still open: the echo went out or was queued, rather than failing the connection on a write error.
  if (handshake_.is_open()) count_sent(echo_prefix.size() + text.size(), wire_bytes);
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
  give_back_if_grown(frame);
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
  give_back_if_grown(cork);
  flush();
}

void WebSocketSession::count_received(ClientEvent const& message) {
  metrics_.add(Counter::messages_received);
  metrics_.add(Counter::message_bytes_received, message.payload.size());
  if (!compression_.negotiated()) return;
  metrics_.add(Counter::deflate_bytes_received, message.payload.size());
  metrics_.add(Counter::deflate_wire_bytes_received, message.compressed_bytes.value_or(message.payload.size()));
}

void WebSocketSession::count_sent(std::size_t text_bytes, std::size_t wire_bytes) {
  metrics_.add(Counter::messages_sent);
  metrics_.add(Counter::message_bytes_sent, text_bytes);
  if (!compression_.negotiated()) return;
  metrics_.add(Counter::deflate_bytes_sent, text_bytes);
  metrics_.add(Counter::deflate_wire_bytes_sent, wire_bytes);
}

void WebSocketSession::send_shared(SharedFrame shared) {
  auto const route = flow_.route_broadcast(queue_.backlog_bytes(), queue_.empty(), handshake_.is_open());
  if (route == FlowControl::Broadcast::slow_consumer) return disconnect_slow_consumer();
  auto frame = compression_.frame_for(shared);
  count_sent(shared.payload().size(), frame.payload().size());
  if (route == FlowControl::Broadcast::behind_queue) {
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

void WebSocketSession::flush() {
  if (!flow_.may_write() || awaiting_admission_ || handshake_.has_ended()) return;
  while (!queue_.empty()) {
    std::array<asio::const_buffer, max_buffers_per_write> buffers;
    auto const count = queue_.gather(buffers);
    error_code error;
    auto const written = socket_.write_some(std::span(buffers.data(), count), error);
    if (error == asio::error::would_block) return wait_writable();
    if (error) return finish(error.message());
    queue_.consume(written);
    if (flow_.resume_reading_if_drained(queue_.backlog_bytes())) resume_reading();
  }
  error_code ignored;
  if (handshake_.half_closes_when_flushed()) socket_.shutdown(tcp::socket::shutdown_send, ignored);
}

void WebSocketSession::wait_writable() {
  flow_.wait_writable();
  socket_.async_wait(tcp::socket::wait_write, [self = shared_from_this()](error_code error) {
    self->flow_.writable();
    if (error) return self->finish(error.message());
    self->flush();
  });
}

void WebSocketSession::resume_reading() {
  // Posted, since flush() runs inside other handlers; and a read first, not a wait: bytes that arrived while we
  // were not reading were reported by epoll already, and a new async_wait only sees the next edge.
  asio::post(executor_, [self = shared_from_this()] { self->on_readable({}); });
}

void WebSocketSession::start_close(CloseCode code, std::string_view reason) {
  if (handshake_.start(code)) send_close_frame(code, reason);
}

void WebSocketSession::fail(CloseCode code, std::string_view reason) {
  if (handshake_.fail(code)) send_close_frame(code, reason);
  write_to_the_fin();
}

void WebSocketSession::send_close_frame(CloseCode code, std::string_view reason) {
  arm_timer(options_.close_timeout);  // how long we wait for the client's close frame
  send([code, reason](std::string& out) { append_close_frame(out, static_cast<std::uint16_t>(code), reason); });
}

void WebSocketSession::disconnect_slow_consumer() {
  auto const code = static_cast<int>(CloseCode::policy_violation);
  log_slow_consumer(*id_, socket_.socket(), options_.max_backpressure_bytes, code);
  // It gets no more broadcasts, so it must not be counted in them.
  leave_hub(Counter::disconnects_slow_consumer, slow_consumer_reason, code);
  // Drop what has not started to go out; a frame half written, or held in a TLS record that could not go out yet,
  // must be finished before the close frame.
  queue_.drop_unstarted(socket_.committed_write_bytes());
  start_close(CloseCode::policy_violation, slow_consumer_reason);
}

void WebSocketSession::write_to_the_fin() {
  if (corked_) uncork();  // the cork may hold the close frame itself
  flush();
}

void WebSocketSession::finish(std::string_view why, Counter reason) {
  auto const ending = handshake_.end(reason);
  if (!ending) return;
  timer_.cancel();
  // Leave before the socket closes, so that the log line can still name the client's address.
  if (ending->our_close_code) {
    auto const code = static_cast<int>(*ending->our_close_code);
    leave_hub(ending->reason, fmt::format("closed by the server with code {}", code), code);
  } else {
    leave_hub(ending->reason, why);
  }
  error_code ignored;
  socket_.close(ignored);
  queue_.clear();
}

void WebSocketSession::leave_hub(Counter reason, std::string_view why, std::optional<int> close_code) {
  if (!id_) return;
  hub_.leave(*id_, this);
  metrics_.add(reason);
  log_disconnected(*id_, socket_.socket(), hub_, why, close_code);
  id_.reset();
}

void WebSocketSession::arm_timer(std::chrono::steady_clock::duration delay) {
  timer_.arm_after(delay, [self = shared_from_this()] { self->on_timer(); });
}

void WebSocketSession::on_timer() {
  switch (handshake_.timer_role()) {
    case CloseHandshake::TimerRole::stale:
      return;
    case CloseHandshake::TimerRole::close_deadline:
      return finish("timed out");
    case CloseHandshake::TimerRole::keepalive:
      return keep_alive();
  }
}

void WebSocketSession::keep_alive() {
  // A connection that compressed nothing since the last tick gives its deflater back: idle, it holds no history.
  compression_.drop_context_if_idle();
  auto const silent = std::chrono::steady_clock::now() - last_heard_;
  auto const step = keepalive_step(options_, silent, flow_.is_over_cap(queue_.backlog_bytes(), handshake_.is_open()));
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
