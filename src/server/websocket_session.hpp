// One WebSocket client after its upgrade request was accepted: admission to the hub, then our own frame layer:
// reading, echo, corked and ordered writes, keepalive, backpressure and the close handshake.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "async/ticked_timer.hpp"
#include "hub/hub.hpp"
#include "ops/metrics.hpp"
#include "protocol/message_reader.hpp"
#include "protocol/net.hpp"
#include "protocol/outgoing_frame.hpp"
#include "server/connection_types.hpp"
#include "server/websocket_options.hpp"
#include "server/write_queue.hpp"

namespace wshub {

class WebSocketSession final : public HubClient, public std::enable_shared_from_this<WebSocketSession> {
 public:
  // early_bytes: what the client sent after its upgrade request, already read from the socket.
  WebSocketSession(ConnectionSocket socket, std::string early_bytes, Hub& hub, WebSocketOptions const& options,
                   Metrics& metrics);

  // Takes over once the upgrade request has been checked: sends the 101, then admits or refuses the client.
  void start(std::string_view path, std::string switching_protocols);

  void deliver(SharedFrame frame) override;
  void close(CloseCode code, std::string reason) override;

  ConnectionExecutor executor() const { return executor_; }

 private:
  enum class State {
    open,
    closing,  // a close frame is on its way (ours, or our answer to the client's); we wait for the end
    closed,
  };

  // Whether the hub's answer came inside admit() or in a later turn of the event loop.
  enum class Answered { at_once, later };

  void admit(std::string_view path);
  void on_join(ClientId id, JoinOutcome outcome, Answered answered);
  void on_admission_answered(Answered answered);
  void refuse(CloseCode code, std::string_view reason);

  void wait_readable();
  void on_readable(error_code error);
  void consume(std::span<char> bytes);
  void keep_partial_frame(std::span<char> rest);
  void handle(ClientEvent const& event);
  void on_close_frame(ClientEvent const& event);

  void send_frame(Opcode opcode, std::string_view first, std::string_view second = {});
  // Appends a frame built by encode(std::string&) where it goes next: the cork or the queue.
  template <typename Encode>
  void send(Encode encode);
  void uncork();
  void send_shared(SharedFrame frame);
  void count_sent(std::size_t payload_bytes);
  bool is_over_backpressure_cap() const;
  void flush();
  void resume_reading();
  void start_close(CloseCode code, std::string_view reason);
  void disconnect_slow_consumer();
  void half_close_when_flushed();
  // Closes the socket; a client still in the hub leaves it for `reason`, or for why we were closing it.
  void finish(std::string_view why, Counter reason = Counter::disconnects_error);
  // close_code: the code of the close frame that ended the connection, if one did.
  void leave_hub(Counter reason, std::string_view why, std::optional<int> close_code = std::nullopt);

  void arm_timer(std::chrono::steady_clock::duration delay);
  void on_timer();

  ConnectionExecutor executor_;  // the connection's thread, which other threads post to
  ConnectionSocket socket_;
  TickedTimer<ConnectionTimer> timer_;  // keepalive, then the close deadline
  Hub& hub_;
  WebSocketOptions const& options_;
  Metrics& metrics_;
  MessageReader reader_;
  std::string pending_;  // the start of a frame that the last read cut off
  WriteQueue queue_;
  std::optional<ClientId> id_;  // set once the hub has admitted us
  State state_ = State::open;
  bool awaiting_admission_ = false;  // the hub has not answered yet: nothing is sent or read
  bool corked_ = false;              // replies go to the thread's cork buffer until the current read is handled
  bool waiting_writable_ = false;
  bool reading_paused_ = false;            // over the backpressure cap: nothing is read until the queue has drained
  bool half_close_when_flushed_ = false;   // closing: send our FIN once the queue has drained
  bool input_ignored_ = false;             // after a violation or the client's close frame, what it sends is discarded
  std::optional<CloseCode> closing_with_;  // the close code we sent, to tell why the connection ended
  std::chrono::steady_clock::time_point last_heard_;
};

}  // namespace wshub
