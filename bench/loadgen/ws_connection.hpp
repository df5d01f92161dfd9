// One client WebSocket on a non-blocking socket: connect, HTTP upgrade, then frames in and out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "client_socket.hpp"
#include "clock.hpp"
#include "deflate_agreement.hpp"
#include "event_loop.hpp"
#include "frame.hpp"
#include "message_bytes.hpp"
#include "message_deflater.hpp"
#include "message_inflater.hpp"
#include "target.hpp"

namespace loadgen {

class WsConnection;

// Whether a connection offers permessage-deflate in its upgrade request, as Chromium does.
enum class Compression { none, offer_deflate };

// What a scenario hears from its connections.
class WsHandler {
 public:
  virtual ~WsHandler() = default;
  virtual void on_open(WsConnection& connection) = 0;
  // `text` lives only during the call; `received_at` is when the bytes that completed it were read.
  virtual void on_text(WsConnection& connection, std::string_view text, TimePoint received_at) = 0;
  // The socket is closed. `failure` says what went wrong; it is empty only when a close handshake that we started
  // ended cleanly. The handler may open the connection again from here.
  virtual void on_closed(WsConnection& connection, std::string_view failure) = 0;
};

class WsConnection final : public EventHandler {
 public:
  enum class State { closed, connecting, securing, upgrading, open, closing };

  // `index` is the scenario's number for this connection (its slot in a table, say).
  WsConnection(EventLoop& loop, const Target& target, WsHandler& handler, std::size_t index, Compression compression);

  // Starts connecting to /ws/<client_id>; the handler hears on_open or on_closed. `connection_number` picks the
  // source address. An error here means the socket could not even be started, and the handler hears nothing.
  std::error_code open(std::string_view client_id, std::size_t connection_number);
  // Queues a text message, compressed if the server accepted permessage-deflate; it is written, with whatever else is
  // queued, before the loop next waits.
  void send_text(std::string_view text);
  // Sends a close frame (1000), then waits for the server's close frame and for it to end the connection.
  void send_close();
  // Closes the socket at once; the handler hears nothing.
  void abort();

  void set_handler(WsHandler& handler) { handler_ = &handler; }
  State state() const { return state_; }
  std::size_t index() const { return index_; }
  // Whether the server accepted permessage-deflate on the last upgrade.
  bool compressed() const { return deflate_.has_value(); }
  // Whether the last TLS handshake resumed an earlier session.
  bool resumed() const { return socket_.resumed(); }
  // Every text message's bytes since the connection was made, over all its openings.
  const MessageBytes& message_bytes() const { return bytes_; }

 private:
  void on_ready(std::uint32_t events) override;
  void on_flush() override;

  void finish_connecting();
  void continue_handshake();
  void read_available();
  void take_bytes(std::string_view fresh, TimePoint received_at);
  std::size_t consume(std::string_view bytes, TimePoint received_at);
  std::size_t accept_upgrade_response(std::string_view bytes);
  std::string_view misplaced_rsv1(const ServerFrame& frame) const;
  void handle_frame(const ServerFrame& frame, TimePoint received_at);
  void handle_message_frame(const ServerFrame& frame, TimePoint received_at);
  void deliver_message(std::string_view payload, bool compressed, TimePoint received_at);
  void handle_close_frame(std::string_view payload);
  void handle_end_of_stream();
  void queue_frame(Opcode opcode, std::string_view payload, bool compressed = false);
  void write_pending();
  void watch_writable(bool writable);
  void close_socket(std::string failure);
  void report_close_if_due();
  bool reading() const { return state_ != State::closed && state_ != State::connecting; }

  EventLoop& loop_;
  const Target& target_;
  WsHandler* handler_;
  const std::size_t index_;
  const Compression compression_;
  ClientSocket socket_;
  State state_ = State::closed;
  bool watching_writable_ = false;
  // Bytes queued for the next write.
  std::string out_;
  // The start of a frame (or of the upgrade response) that the last read cut off.
  std::string carry_;
  // A fragmented message being put back together.
  std::string fragments_;
  bool assembling_ = false;
  // Whether the message being put back together is compressed (RSV1 on its first frame).
  bool assembling_compressed_ = false;
  // What the server accepted; empty when it declined (or nothing was offered).
  std::optional<DeflateAgreement> deflate_;
  // Made on first use, so that idle connections hold no zlib state.
  std::unique_ptr<MessageDeflater> deflater_;
  std::unique_ptr<MessageInflater> inflater_;
  // The last compressed message received, inflated.
  std::string inflated_;
  MessageBytes bytes_;
  bool server_sent_close_ = false;
  // on_closed is called last in a callback from the loop, because the handler may reopen this connection.
  bool close_report_due_ = false;
  std::string failure_;
};

}  // namespace loadgen
