// Tests message assembly: fragments, interleaved control frames, UTF-8 across fragments, limits, close frames.
#include "protocol/message_reader.hpp"

#include <gtest/gtest.h>

#include "client_frames.hpp"

namespace wshub {
namespace {

using testing::encode;
using Kind = ClientEvent::Kind;

struct Seen {
  Kind kind;
  std::string payload;
  std::optional<std::uint16_t> close_code;
  bool operator==(Seen const&) const = default;
};

// Feeds all of bytes and collects the events, stopping at need_more_bytes or a violation.
std::vector<Seen> read_all(std::string bytes, std::size_t max_message_bytes = 1000) {
  MessageReader reader(max_message_bytes);
  std::span<char> input(bytes.data(), bytes.size());
  std::vector<Seen> seen;
  for (;;) {
    auto const event = reader.next(input);
    if (event.kind == Kind::need_more_bytes) return seen;
    seen.push_back({event.kind, std::string(event.payload), event.close_code});
    if (event.kind == Kind::violation) return seen;
  }
}

std::uint16_t code(CloseCode close_code) {
  return static_cast<std::uint16_t>(close_code);
}

// Compares kind and code only, since reasons are for people.
void expect_violation(std::string bytes, CloseCode close_code, std::size_t max_message_bytes = 1000) {
  auto const seen = read_all(std::move(bytes), max_message_bytes);
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back().kind, Kind::violation);
  EXPECT_EQ(seen.back().close_code, code(close_code));
  EXPECT_FALSE(seen.back().payload.empty());
}

TEST(MessageReader, ReadsSeveralMessagesFromOneInput) {
  auto const seen = read_all(testing::text("one") + testing::text("two") + testing::text("thr"));
  EXPECT_EQ(seen, (std::vector<Seen>{{Kind::text, "one", {}}, {Kind::text, "two", {}}, {Kind::text, "thr", {}}}));
}

TEST(MessageReader, LeavesAPartialFrameInTheInput) {
  std::string bytes = testing::text("whole") + testing::text("partial").substr(0, 5);
  MessageReader reader(1000);
  std::span<char> input(bytes.data(), bytes.size());
  EXPECT_EQ(reader.next(input).kind, Kind::text);
  EXPECT_EQ(reader.next(input).kind, Kind::need_more_bytes);
  EXPECT_EQ(input.size(), 5U);
}

TEST(MessageReader, GathersFragmentsAroundControlFrames) {
  auto const bytes = encode({.payload = "Hel", .final = false}) + encode({.opcode = Opcode::ping, .payload = "p"}) +
                     encode({.opcode = Opcode::continuation, .payload = "lo", .final = false}) +
                     encode({.opcode = Opcode::continuation, .payload = "!"});
  EXPECT_EQ(read_all(bytes), (std::vector<Seen>{{Kind::ping, "p", {}}, {Kind::text, "Hello!", {}}}));
}

TEST(MessageReader, RefusesFragmentsOutOfSequence) {
  expect_violation(encode({.opcode = Opcode::continuation, .payload = "x"}), CloseCode::protocol_error);
  expect_violation(encode({.payload = "a", .final = false}) + testing::text("b"), CloseCode::protocol_error);
}

TEST(MessageReader, RefusesBinaryMessages) {
  EXPECT_EQ(read_all(encode({.opcode = Opcode::binary, .payload = "\x01"})).back(),
            (Seen{Kind::violation, std::string(binary_unsupported_reason), code(CloseCode::unsupported_data)}));
}

TEST(MessageReader, ChecksUtf8AcrossFragmentsAndFailsFast) {
  // The euro sign split over two fragments is fine.
  auto const split =
      encode({.payload = "\xe2\x82", .final = false}) + encode({.opcode = Opcode::continuation, .payload = "\xac"});
  EXPECT_EQ(read_all(split), (std::vector<Seen>{{Kind::text, "\xe2\x82\xac", {}}}));
  // A surrogate is refused with its fragment, before the message ends.
  expect_violation(encode({.payload = "ok\xed\xa0", .final = false}), CloseCode::invalid_payload);
  // A message may not end mid-character.
  expect_violation(testing::text("\xe2\x82"), CloseCode::invalid_payload);
}

TEST(MessageReader, FailsOnInvalidUtf8BeforeItsFrameIsWhole) {
  // Autobahn 6.4.3: the bytes of U+110000 have arrived, the rest of the frame has not.
  auto bytes = testing::text(
      "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xf4\x90\x80\x80"
      "edited");
  bytes.resize(bytes.size() - 6);
  expect_violation(bytes, CloseCode::invalid_payload);
}

TEST(MessageReader, ChecksEachByteOnceWhileAFrameArrivesInPieces) {
  // As the session does it: the input begins with the incomplete frame, grows a byte at a time, and is read twice
  // in between. Had a piece been validated twice, the split characters would be refused.
  std::string const text = "Hello-\xc2\xb5@\xc3\x9f \xe2\x82\xac \xf0\x9f\x98\x80!";
  auto bytes = encode({.payload = "one ", .final = false}) + encode({.opcode = Opcode::continuation, .payload = text});
  MessageReader reader(1000);
  std::size_t start = 0;
  std::vector<Seen> seen;
  for (std::size_t end = 1; end <= bytes.size(); ++end) {
    for (int pass = 0; pass < 2; ++pass) {
      std::span<char> input(bytes.data() + start, end - start);
      auto const event = reader.next(input);
      if (event.kind != Kind::need_more_bytes)
        seen.push_back({event.kind, std::string(event.payload), event.close_code});
      start = end - input.size();
    }
  }
  EXPECT_EQ(seen, (std::vector<Seen>{{Kind::text, "one " + text, {}}}));
}

TEST(MessageReader, EnforcesTheSizeLimitOnWholeMessages) {
  EXPECT_EQ(read_all(testing::text(std::string(10, 'a')), 10).size(), 1U);
  expect_violation(testing::text(std::string(11, 'a')), CloseCode::message_too_big, 10);
  auto const fragmented =
      encode({.payload = "123456", .final = false}) + encode({.opcode = Opcode::continuation, .payload = "78901"});
  expect_violation(fragmented, CloseCode::message_too_big, 10);
}

TEST(MessageReader, ReadsCloseFrames) {
  EXPECT_EQ(read_all(encode({.opcode = Opcode::close})), (std::vector<Seen>{{Kind::close, "", std::nullopt}}));
  EXPECT_EQ(read_all(encode({.opcode = Opcode::close,
                             .payload = "\x03\xe8"
                                        "bye"})),
            (std::vector<Seen>{{Kind::close, "bye", 1000}}));
  EXPECT_EQ(read_all(encode({.opcode = Opcode::close, .payload = "\x0f\xa0"})),
            (std::vector<Seen>{{Kind::close, "", 4000}}));
}

TEST(MessageReader, RefusesMalformedCloseFrames) {
  expect_violation(encode({.opcode = Opcode::close, .payload = "\x03"}), CloseCode::protocol_error);
  for (std::string const forbidden : {"\x03\xe7", "\x03\xec", "\x03\xed", "\x03\xee", "\x03\xf7", "\x13\x88"}) {
    expect_violation(encode({.opcode = Opcode::close, .payload = forbidden}), CloseCode::protocol_error);
  }
  expect_violation(encode({.opcode = Opcode::close, .payload = "\x03\xe8\xff"}), CloseCode::invalid_payload);
}

TEST(MessageReader, PassesOnPingsAndPongs) {
  auto const bytes =
      encode({.opcode = Opcode::ping, .payload = "are you there"}) + encode({.opcode = Opcode::pong, .payload = "yes"});
  EXPECT_EQ(read_all(bytes), (std::vector<Seen>{{Kind::ping, "are you there", {}}, {Kind::pong, "yes", {}}}));
}

}  // namespace
}  // namespace wshub
