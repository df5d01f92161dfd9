// The close handshake's decisions: who closed, what is answered, when the FIN goes, how the end is counted.
#include "server/close_handshake.hpp"

namespace wshub {
namespace {

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
      // 3000-4999: an application's own reason (DELETE /clients/{clientId}, a replaced connection), no error.
      return static_cast<int>(code) >= 3000 ? Counter::disconnects_application : Counter::disconnects_error;
  }
}

}  // namespace

CloseHandshake::TimerRole CloseHandshake::timer_role() const {
  switch (state_) {
    case State::open:
      return TimerRole::keepalive;
    case State::closing:
      return TimerRole::close_deadline;
    case State::closed:
      break;
  }
  return TimerRole::stale;
}

bool CloseHandshake::start(CloseCode code) {
  if (state_ != State::open) return false;
  state_ = State::closing;
  closing_with_ = code;
  return true;
}

bool CloseHandshake::fail(CloseCode code) {
  input_ignored_ = true;
  half_close_when_flushed_ = true;
  return start(code);
}

CloseHandshake::PeerClose CloseHandshake::peer_closed() {
  input_ignored_ = true;
  // Either way the server then closes the TCP connection first (RFC 6455 section 7.1.1): a FIN once our close frame
  // is out, then we wait for the client's.
  half_close_when_flushed_ = true;
  auto const reason = closing_with_ ? disconnect_reason(*closing_with_) : Counter::disconnects_normal;
  if (state_ != State::open) return {reason, false};  // it answered ours, which may still be queued
  state_ = State::closing;
  return {reason, true};
}

std::optional<CloseHandshake::Ending> CloseHandshake::end(Counter otherwise) {
  if (state_ == State::closed) return std::nullopt;
  state_ = State::closed;
  if (closing_with_) return Ending{disconnect_reason(*closing_with_), closing_with_};
  return Ending{otherwise, std::nullopt};
}

}  // namespace wshub
