// Fuzzes the WebSocket frame layer (frame_parser, message_reader) with client bytes fed in pieces, as
// WebSocketSession feeds them, with and without permessage-deflate: what the client means must not depend on where
// its reads were cut, and every event keeps to RFC 6455, RFC 7692 and to the message size limit (inflated too).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "protocol/close_code.hpp"
#include "protocol/frame_parser.hpp"
#include "protocol/message_reader.hpp"
#include "protocol/utf8_validator.hpp"

namespace wshub::fuzzing {
namespace {

using Kind = ClientEvent::Kind;

// Far below the server's 16 MiB, so that inputs of a few kilobytes reach the limit.
constexpr std::size_t max_message_bytes = 1000;

// An event with its payload copied out of the input, which the next read may overwrite.
struct RecordedEvent {
  Kind kind;
  std::string payload;
  std::optional<std::uint16_t> close_code;
  bool operator==(RecordedEvent const&) const = default;
};

void check_event(ClientEvent const& event) {
  switch (event.kind) {
    case Kind::text:
      check(event.payload.size() <= max_message_bytes, "a message is within the size limit");
      check(Utf8Validator::is_valid(event.payload), "a message is UTF-8 as a whole");
      return;
    case Kind::ping:
    case Kind::pong:
      check(event.payload.size() <= max_control_payload_bytes, "a control frame carries at most 125 bytes");
      return;
    case Kind::close:
      check(!event.close_code || may_be_sent(*event.close_code), "a close code is one a peer may send");
      check(event.close_code || event.payload.empty(), "a close without a code has no reason");
      check(event.payload.size() <= max_close_reason_bytes && Utf8Validator::is_valid(event.payload),
            "a close reason is UTF-8 and fits a close frame");
      return;
    case Kind::violation:
      check(event.close_code && may_be_sent(*event.close_code), "a violation names the code to close with");
      check(!event.payload.empty() && event.payload.size() <= max_close_reason_bytes,
            "a violation's reason fits a close frame");
      return;
    case Kind::need_more_bytes:
      return;
  }
}

// WebSocketSession's read path: a frame cut off at the end of a read waits in pending_ for the rest, and nothing is
// read after a close frame or a violation.
class Connection {
 public:
  explicit Connection(bool deflate_negotiated) : reader_(max_message_bytes, deflate_negotiated) {}

  void receive(std::span<char> bytes) {
    if (finished_) return;
    std::span<char> input = bytes;
    if (!pending_.empty()) {
      pending_.append(bytes.data(), bytes.size());
      input = pending_;
    }
    for (auto event = reader_.next(input); event.kind != Kind::need_more_bytes; event = reader_.next(input)) {
      check_event(event);
      events_.push_back({event.kind, std::string(event.payload), event.close_code});
      finished_ = event.kind == Kind::close || event.kind == Kind::violation;
      if (finished_) return;
    }
    keep_partial_frame(input);
  }

  std::vector<RecordedEvent> const& events() const { return events_; }

 private:
  void keep_partial_frame(std::span<char> rest) {
    if (pending_.empty()) {
      pending_.assign(rest.data(), rest.size());
    } else {
      pending_.erase(0, pending_.size() - rest.size());
    }
  }

  MessageReader reader_;
  std::string pending_;
  std::vector<RecordedEvent> events_;
  bool finished_ = false;
};

// The events of a connection whose reads return next_piece(left) bytes at a time. The bytes are a copy of their
// own, since the reader unmasks in place.
std::vector<RecordedEvent> events_of(std::string bytes, bool deflate_negotiated,
                                     std::function<std::size_t(std::size_t)> const& next_piece) {
  Connection connection(deflate_negotiated);
  std::span<char> unread = bytes;
  while (!unread.empty()) {
    std::size_t const piece = std::min(next_piece(unread.size()), unread.size());
    connection.receive(unread.first(piece));
    unread = unread.subspan(piece);
  }
  return connection.events();
}

}  // namespace
}  // namespace wshub::fuzzing

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  using namespace wshub::fuzzing;
  std::string const bytes(reinterpret_cast<char const*>(data), size);
  for (bool const deflate_negotiated : {false, true}) {
    auto const at_once = events_of(bytes, deflate_negotiated, [](std::size_t left) { return left; });
    auto const byte_by_byte = events_of(bytes, deflate_negotiated, [](std::size_t) { return 1; });
    // Cuts that change with every input, so that the fuzzer explores them along with the bytes.
    std::minstd_rand cuts(static_cast<std::uint32_t>(std::hash<std::string>{}(bytes)));
    auto const in_pieces = events_of(bytes, deflate_negotiated, [&cuts](std::size_t) { return 1 + cuts() % 32; });
    check(byte_by_byte == at_once, "reading byte by byte means what reading at once means");
    check(in_pieces == at_once, "reading in pieces means what reading at once means");
  }
  return 0;
}
