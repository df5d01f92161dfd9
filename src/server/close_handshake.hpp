// Where a WebSocket connection is in its close handshake, and what each step of it means: plain decisions, no I/O.
#pragma once

#include <optional>

#include "ops/metrics.hpp"
#include "protocol/close_code.hpp"

namespace wshub {

// The session reports what happened and performs what the answer says: sends a close frame, arms the close
// deadline, half-closes, closes the socket and counts the disconnect.
class CloseHandshake {
 public:
  // What the session's one timer is for at the moment.
  enum class TimerRole {
    keepalive,       // open: the timer pings a silent client and drops one that stays silent
    close_deadline,  // closing: the client had its time to finish the handshake
    stale,           // ended: an expiry that was already queued, nothing to do
  };

  // The client's close frame arrived.
  struct PeerClose {
    Counter reason;  // what the client's leaving the hub is counted as
    bool answer;     // whether to send our close frame (the same code back) and arm the close deadline
  };

  // How the end of the connection is reported.
  struct Ending {
    Counter reason;
    std::optional<CloseCode> our_close_code;  // the code we closed with, if we started the close
  };

  bool is_open() const { return state_ == State::open; }
  bool has_ended() const { return state_ == State::closed; }
  // Not after a violation or the client's close frame (RFC 6455 section 5.5.1), nor once the connection has ended.
  bool reads_input() const { return !input_ignored_ && !has_ended(); }
  // Whether our FIN goes out once everything queued has been written.
  bool half_closes_when_flushed() const { return half_close_when_flushed_; }
  TimerRole timer_role() const;

  // We close with `code` (a refusal, a shutdown, a slow consumer): whether to send our close frame and arm the close
  // deadline; no, if a close is already under way.
  bool start(CloseCode code);
  // The client broke the protocol (RFC 6455 section 7.1.7): the same answer as start(), and we read nothing more
  // and half-close once our close frame is out, waiting only for the client to close its side.
  bool fail(CloseCode code);
  PeerClose peer_closed();
  // The connection ends (the client's FIN, an error, the close deadline): nothing if it already had. `otherwise` is
  // the reason reported when the close was not ours.
  std::optional<Ending> end(Counter otherwise);

 private:
  enum class State {
    open,
    closing,  // a close frame is on its way (ours, or our answer to the client's); we wait for the end
    closed,
  };

  State state_ = State::open;
  std::optional<CloseCode> closing_with_;  // the close code we sent, to tell why the connection ended
  bool input_ignored_ = false;
  bool half_close_when_flushed_ = false;
};

}  // namespace wshub
