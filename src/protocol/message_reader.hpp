// Turns the bytes a client sends into what it means: whole text messages, pings, pongs, a close, or a violation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "protocol/close_code.hpp"
#include "protocol/frame_parser.hpp"
#include "protocol/message_inflater.hpp"
#include "protocol/utf8_validator.hpp"

namespace wshub {

struct ClientEvent {
  enum class Kind {
    need_more_bytes,  // no whole frame left in the input
    text,             // a complete, valid UTF-8 text message in payload
    ping,             // payload is to be returned in a pong
    pong,
    close,      // close_code as the client sent it (none for an empty close frame), reason in payload
    violation,  // the client broke the protocol or a limit: close with close_code, reason in payload
  };
  Kind kind = Kind::need_more_bytes;
  std::string_view payload;  // valid until the next call to MessageReader::next or until the input changes
  std::optional<std::uint16_t> close_code;
  // A text message that came compressed: the size of its frames' payloads as they were on the wire.
  std::optional<std::size_t> compressed_bytes;
};

// RFC 6455 sections 5.4-5.5 and 8.1: gathers fragments into messages, lets control frames interleave, validates
// UTF-8 as its bytes arrive (even within one frame), refuses binary messages (this hub speaks text) and enforces the
// message size limit. With permessage-deflate (RFC 7692) a compressed message is inflated frame by frame, its
// inflated size held to the same limit. After a violation the stream makes no sense any more, and the caller must
// stop calling next.
class MessageReader {
 public:
  // deflate_negotiated: the client may compress its messages, each on its own (client_no_context_takeover).
  explicit MessageReader(std::size_t max_message_bytes, bool deflate_negotiated = false)
      : max_message_bytes_(max_message_bytes), deflate_negotiated_(deflate_negotiated) {}

  // Takes the next event from the front of input (unmasking in place) and drops the bytes it used from input.
  ClientEvent next(std::span<char>& input);

 private:
  // The most a frame's payload may carry, from what is left of the message's limit.
  std::size_t frame_budget(std::span<char const> input) const;
  // The event a frame completes, if any.
  std::optional<ClientEvent> on_frame(ParsedFrame const& frame);
  std::optional<ClientEvent> on_data_frame(bool starts_message, bool final, std::string_view payload);
  std::optional<ClientEvent> on_compressed_data(bool starts_message, bool final, std::string_view payload);
  ClientEvent end_compressed_message(ClientEvent event);
  ClientEvent check_arrived_text(ParsedFrame const& frame);
  ClientEvent finish_message(std::string_view payload);
  void release_fragments();
  static ClientEvent on_close_frame(std::string_view payload);

  std::size_t max_message_bytes_;
  bool deflate_negotiated_;
  bool in_message_ = false;  // a fragmented message has begun and not yet ended
  std::string fragments_;    // the fragments of that message so far (inflated, if it is compressed)
  // Lent by this thread's pool while a compressed message arrives: a client between messages holds no window.
  std::unique_ptr<MessageInflater> inflater_;
  std::size_t compressed_bytes_ = 0;  // of the compressed message that is arriving
  Utf8Validator utf8_;
  std::size_t arrived_text_checked_ = 0;  // payload bytes of the incomplete text frame in front already validated
};

}  // namespace wshub
