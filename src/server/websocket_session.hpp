// One WebSocket client after its upgrade request was accepted: admission to the hub, then our own frame layer:
// reading, echo, corked and ordered writes, keepalive, backpressure and the close handshake. The decisions are made
// by pieces without I/O (admission, flow_control, keepalive, close_handshake); the session does the I/O.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "async/ticked_timer.hpp"
#include "hub/hub.hpp"
#include "ops/metrics.hpp"
#include "protocol/deflate_negotiation.hpp"
#include "protocol/deflater_budget.hpp"
#include "protocol/message_reader.hpp"
#include "protocol/net.hpp"
#include "protocol/outgoing_compression.hpp"
#include "protocol/outgoing_frame.hpp"
#include "server/close_handshake.hpp"
#include "server/connection_transport.hpp"
#include "server/connection_types.hpp"
#include "server/flow_control.hpp"
#include "server/partial_frame.hpp"
#include "server/websocket_options.hpp"
#include "server/write_queue.hpp"

namespace wshub {

class WebSocketSession final : public HubClient, public std::enable_shared_from_this<WebSocketSession> {
 public:
  // early_bytes: what the client sent after its upgrade request, already read from the socket; deflate: what the
  // handshake agreed for permessage-deflate, if anything; context_deflaters: where it gets a deflater that keeps its
  // history between messages while it is busy.
  WebSocketSession(ConnectionTransport socket, std::string early_bytes, std::optional<DeflateParameters> deflate,
                   Hub& hub, WebSocketOptions const& options, DeflaterBudget& context_deflaters, Metrics& metrics);

  // Takes over once the upgrade request has been checked: sends the 101, then admits or refuses the client.
  void start(std::string_view path, std::string switching_protocols);

  void deliver(SharedFrame frame) override;
  void close(CloseCode code, std::string reason) override;

  ConnectionExecutor executor() const { return executor_; }

 private:
  // Whether the hub's answer came inside admit() or in a later turn of the event loop.
  enum class Answered { at_once, later };

  void admit(std::string_view path);
  void on_join(ClientId id, JoinOutcome outcome, Answered answered);
  void on_admission_answered(Answered answered);
  void refuse(CloseCode code, std::string_view reason);

  void wait_readable();
  void on_readable(error_code error);
  void consume(std::span<char> bytes);
  void handle(ClientEvent const& event);
  void on_close_frame(ClientEvent const& event);

  void send_frame(Opcode opcode, std::string_view first, std::string_view second = {});
  void send_echo(std::string_view text);
  // Appends a frame built by encode(std::string&) where it goes next: the cork or the queue.
  template <typename Encode>
  void send(Encode encode);
  void uncork();
  void send_shared(SharedFrame shared);
  // text_bytes: the message as the application sees it; wire_bytes: its payload as sent, compressed or not.
  void count_sent(std::size_t text_bytes, std::size_t wire_bytes);
  void count_received(ClientEvent const& message);
  void flush();
  void wait_writable();
  void resume_reading();
  void start_close(CloseCode code, std::string_view reason);
  // The client broke the protocol (RFC 6455 section 7.1.7).
  void fail(CloseCode code, std::string_view reason);
  void send_close_frame(CloseCode code, std::string_view reason);
  void disconnect_slow_consumer();
  // Writes what is corked and queued, and then the FIN if the close handshake wants it.
  void write_to_the_fin();
  // Closes the socket; a client still in the hub leaves it for `reason`, or for why we were closing it.
  void finish(std::string_view why, Counter reason = Counter::disconnects_error);
  // close_code: the code of the close frame that ended the connection, if one did.
  void leave_hub(Counter reason, std::string_view why, std::optional<int> close_code = std::nullopt);

  void arm_timer(std::chrono::steady_clock::duration delay);
  void on_timer();
  void keep_alive();

  ConnectionExecutor executor_;         // the connection's thread, which other threads post to
  ConnectionTransport socket_;          // the socket, or TLS over it
  TickedTimer<ConnectionTimer> timer_;  // keepalive, then the close deadline
  Hub& hub_;
  WebSocketOptions const& options_;
  Metrics& metrics_;
  MessageReader reader_;
  OutgoingCompression compression_;
  PartialFrame partial_frame_;
  WriteQueue queue_;
  FlowControl flow_;
  CloseHandshake handshake_;
  std::optional<ClientId> id_;       // set once the hub has admitted us
  bool awaiting_admission_ = false;  // the hub has not answered yet: nothing is sent or read
  bool corked_ = false;              // replies go to the thread's cork buffer until the current read is handled
  std::chrono::steady_clock::time_point last_heard_;
};

}  // namespace wshub
