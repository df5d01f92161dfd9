// Message assembly on top of the frame parser: fragmentation, control frames, UTF-8 and limits.
#include "protocol/message_reader.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "protocol/frame_parser.hpp"

namespace wshub {
namespace {

using Kind = ClientEvent::Kind;

ClientEvent event(Kind kind, std::string_view payload = {}, std::optional<std::uint16_t> close_code = std::nullopt) {
  return {.kind = kind, .payload = payload, .close_code = close_code, .compressed_bytes = std::nullopt};
}

ClientEvent violation(CloseCode code, std::string_view reason) {
  return event(Kind::violation, reason, static_cast<std::uint16_t>(code));
}

std::string_view as_text(std::span<char> bytes) {
  return {bytes.data(), bytes.size()};
}

// A buffer grown for one large fragmented message is given back, so that it does not stay pinned for the rest of
// the connection's life.
constexpr std::size_t retained_fragment_bytes = 64 * 1024;

// A compressed frame of text that does not compress is a little longer than the text (a stored block adds 5 bytes
// to each 64 KiB), so it is let through with this much over the limit; what it inflates to is held to the limit.
std::size_t deflate_overhead_bytes(std::size_t payload_bytes) {
  return payload_bytes / 1024 + 64;
}

}  // namespace

ClientEvent MessageReader::next(std::span<char>& input) {
  if (!in_message_) release_fragments();
  for (;;) {
    auto const frame = parse_frame(input, frame_budget(input), deflate_negotiated_);
    if (frame.status == ParsedFrame::Status::incomplete) return check_arrived_text(frame);
    if (frame.status == ParsedFrame::Status::invalid) return violation(frame.error, frame.error_reason);
    input = input.subspan(frame.frame_bytes);
    auto event = on_frame(frame);
    // A fragment that does not end its message means nothing yet: read on.
    if (event) return *event;
  }
}

// A frame may carry only what is left of the message's limit: a fragment too many is refused from its header,
// before its payload is buffered. Control frames (at most 125 bytes) are let through to be judged on their own.
// Only compressed data may run over by deflate's overhead: a frame marked compressed (RSV1), or a continuation of a
// compressed message, which only its first frame marks. Plain text is held to the limit itself, so that its size
// is judged from its header however its bytes arrive.
std::size_t MessageReader::frame_budget(std::span<char const> input) const {
  auto const left = max_message_bytes_ - fragments_.size();
  bool const compressed = deflate_negotiated_ && (inflater_ != nullptr || marked_compressed(input));
  auto const budget = compressed ? left + deflate_overhead_bytes(left) : left;
  return std::max(budget, max_control_payload_bytes);
}

std::optional<ClientEvent> MessageReader::on_frame(ParsedFrame const& frame) {
  auto const payload = as_text(frame.payload);
  bool const final = frame.final;
  switch (frame.opcode) {
    case Opcode::ping:
      return event(Kind::ping, payload);
    case Opcode::pong:
      return event(Kind::pong, payload);
    case Opcode::close:
      return on_close_frame(payload);
    case Opcode::binary:
      if (in_message_) return violation(CloseCode::protocol_error, "new message before the last one ended");
      return violation(CloseCode::unsupported_data, binary_unsupported_reason);
    case Opcode::text:
      if (in_message_) return violation(CloseCode::protocol_error, "new message before the last one ended");
      if (frame.compressed) return on_compressed_data(true, final, payload);
      return on_data_frame(true, final, payload);
    case Opcode::continuation:
      if (!in_message_) return violation(CloseCode::protocol_error, "continuation frame outside a message");
      if (inflater_) return on_compressed_data(false, final, payload);
      return on_data_frame(false, final, payload);
  }
  return violation(CloseCode::protocol_error, "unknown opcode");
}

// RFC 6455 section 8.1 asks to fail the connection as soon as text is invalid, so the part of a text frame that has
// arrived is checked before the rest of it comes (Autobahn 6.4.3), each byte once.
ClientEvent MessageReader::check_arrived_text(ParsedFrame const& frame) {
  // Compressed bytes mean nothing until they are inflated, which waits for the whole frame.
  bool const starts_message = frame.opcode == Opcode::text && !in_message_ && !frame.compressed;
  bool const continues_message = frame.opcode == Opcode::continuation && in_message_ && !inflater_;
  if (!starts_message && !continues_message) return event(Kind::need_more_bytes);
  if (starts_message && arrived_text_checked_ == 0) utf8_.reset();
  std::array<char, 4096> unmasked;
  while (arrived_text_checked_ < frame.payload.size()) {
    auto const masked = frame.payload.subspan(arrived_text_checked_)
                            .first(std::min(unmasked.size(), frame.payload.size() - arrived_text_checked_));
    unmask_copy(masked, arrived_text_checked_, frame.mask_key, unmasked);
    arrived_text_checked_ += masked.size();
    if (!utf8_.feed({unmasked.data(), masked.size()}))
      return violation(CloseCode::invalid_payload, "invalid UTF-8 in a text message");
  }
  return event(Kind::need_more_bytes);
}

std::optional<ClientEvent> MessageReader::on_data_frame(bool starts_message, bool final, std::string_view payload) {
  // What arrived of this frame before the rest of it has already been fed to the validator.
  auto const checked = std::exchange(arrived_text_checked_, 0);
  if (starts_message && checked == 0) utf8_.reset();
  // A fragmented message may not grow past the limit either.
  if (fragments_.size() + payload.size() > max_message_bytes_)
    return violation(CloseCode::message_too_big, "message too big");
  if (!utf8_.feed(payload.substr(checked)))
    return violation(CloseCode::invalid_payload, "invalid UTF-8 in a text message");
  // The common case, one frame per message, is handed on in place without a copy.
  if (starts_message && final) return finish_message(payload);
  fragments_.append(payload);
  in_message_ = !final;
  if (!final) return std::nullopt;
  return finish_message(fragments_);
}

// RFC 7692 section 7.2.2: each frame is inflated as it arrives, so that the limit stops a decompression bomb as
// soon as the inflated text would pass it, and the text is validated as it comes out.
std::optional<ClientEvent> MessageReader::on_compressed_data(bool starts_message, bool final,
                                                             std::string_view payload) {
  if (starts_message) {
    inflater_ = InflaterPool::this_thread().acquire();
    utf8_.reset();
    compressed_bytes_ = 0;
  }
  compressed_bytes_ += payload.size();
  auto const inflated_before = fragments_.size();
  auto status = inflater_->feed(payload, fragments_, max_message_bytes_);
  if (status == MessageInflater::Status::ok && final) status = inflater_->finish(fragments_, max_message_bytes_);
  if (status == MessageInflater::Status::too_big)
    return end_compressed_message(violation(CloseCode::message_too_big, "message too big"));
  if (status == MessageInflater::Status::corrupt)
    return end_compressed_message(violation(CloseCode::invalid_payload, "compressed message is not valid DEFLATE"));
  if (!utf8_.feed(std::string_view(fragments_).substr(inflated_before)))
    return end_compressed_message(violation(CloseCode::invalid_payload, "invalid UTF-8 in a text message"));
  in_message_ = !final;
  if (!final) return std::nullopt;
  auto message = finish_message(fragments_);
  if (message.kind == Kind::text) message.compressed_bytes = compressed_bytes_;
  return end_compressed_message(message);
}

ClientEvent MessageReader::end_compressed_message(ClientEvent event) {
  InflaterPool::this_thread().release(std::move(inflater_));
  return event;
}

void MessageReader::release_fragments() {
  if (fragments_.capacity() > retained_fragment_bytes) {
    std::string().swap(fragments_);
  } else {
    fragments_.clear();
  }
}

ClientEvent MessageReader::finish_message(std::string_view payload) {
  if (!utf8_.at_character_boundary()) return violation(CloseCode::invalid_payload, "text message ends mid-character");
  return event(Kind::text, payload);
}

ClientEvent MessageReader::on_close_frame(std::string_view payload) {
  if (payload.empty()) return event(Kind::close);
  if (payload.size() == 1) return violation(CloseCode::protocol_error, "close frame with a one-byte payload");
  auto const code =
      static_cast<std::uint16_t>(static_cast<unsigned char>(payload[0]) << 8 | static_cast<unsigned char>(payload[1]));
  if (!may_be_sent(code)) return violation(CloseCode::protocol_error, "close frame with an invalid code");
  auto const reason = payload.substr(2);
  if (!Utf8Validator::is_valid(reason)) return violation(CloseCode::invalid_payload, "close reason is not UTF-8");
  return event(Kind::close, reason, code);
}

}  // namespace wshub
