// Tests the client frame parser: lengths, unmasking, incomplete input and every header rule of RFC 6455.
#include "protocol/frame_parser.hpp"

#include <gtest/gtest.h>

#include "client_frames.hpp"

namespace wshub {
namespace {

using testing::ClientFrame;
using testing::encode;
using FrameStatus = ParsedFrame::Status;

constexpr std::size_t limit = 1 << 20;

ParsedFrame parse(std::string& bytes, std::size_t max_payload_bytes = limit) {
  return parse_frame(std::span(bytes.data(), bytes.size()), max_payload_bytes);
}

std::string_view payload_of(ParsedFrame const& frame) {
  return {frame.payload.data(), frame.payload.size()};
}

TEST(FrameParser, UnmasksAFrameInPlace) {
  auto bytes = testing::text("Hello, hub") + "next";
  auto const frame = parse(bytes);
  ASSERT_EQ(frame.status, FrameStatus::complete);
  EXPECT_EQ(frame.opcode, Opcode::text);
  EXPECT_TRUE(frame.final);
  EXPECT_EQ(payload_of(frame), "Hello, hub");
  EXPECT_EQ(frame.frame_bytes, bytes.size() - 4);
}

TEST(FrameParser, ReadsEachLengthForm) {
  for (std::size_t size : {0UL, 125UL, 126UL, 65535UL, 65536UL, 100000UL}) {
    std::string const payload(size, 'x');
    auto bytes = testing::text(payload);
    auto const frame = parse(bytes);
    ASSERT_EQ(frame.status, FrameStatus::complete) << size;
    EXPECT_EQ(payload_of(frame), payload) << size;
  }
}

TEST(FrameParser, WaitsForTheWholeFrame) {
  auto const whole = testing::text(std::string(300, 'y'));
  for (std::size_t cut = 0; cut < whole.size(); ++cut) {
    std::string part = whole.substr(0, cut);
    EXPECT_EQ(parse(part).status, FrameStatus::incomplete) << cut;
  }
}

TEST(FrameParser, ShowsThePayloadSoFarOfAnIncompleteFrameStillMasked) {
  auto bytes = testing::text("Hello, hub");
  auto const whole = bytes;
  bytes.resize(bytes.size() - 3);
  auto const frame = parse(bytes);
  ASSERT_EQ(frame.status, FrameStatus::incomplete);
  EXPECT_EQ(frame.opcode, Opcode::text);
  EXPECT_EQ(payload_of(frame), whole.substr(6, 7));  // untouched: unmasked only once the frame is whole
  // Unmasked from an offset, as the rest of a frame is when it arrives.
  std::string unmasked(4, '\0');
  unmask_copy(frame.payload.subspan(3), 3, frame.mask_key, unmasked);
  EXPECT_EQ(unmasked, "lo, ");
}

TEST(FrameParser, RefusesWhatRfc6455Forbids) {
  struct Case {
    std::string bytes;
    std::string_view why;
  };
  std::vector<Case> const cases = {
      {encode({.masked = false}), "unmasked"},
      {encode({.reserved_bits = 0x40}), "RSV1"},
      {encode({.reserved_bits = 0x10}), "RSV3"},
      {encode({.opcode = Opcode{0x3}}), "reserved data opcode"},
      {encode({.opcode = Opcode{0xb}}), "reserved control opcode"},
      {encode({.opcode = Opcode::ping, .final = false}), "fragmented ping"},
      {encode({.opcode = Opcode::ping, .payload = std::string(126, 'p')}), "ping over 125 bytes"},
      {std::string("\x81\xfe\x00\x05\x01\x02\x03\x04", 8), "16-bit length for 5 bytes"},
      {std::string("\x81\xff\x00\x00\x00\x00\x00\x00\xff\xff\x01\x02\x03\x04", 14), "64-bit length for 65535"},
      {std::string("\x81\xff\x80\x00\x00\x00\x00\x00\x00\x00\x01\x02\x03\x04", 14), "64-bit length, top bit set"},
  };
  for (auto forbidden : cases) {
    auto const frame = parse(forbidden.bytes);
    EXPECT_EQ(frame.status, FrameStatus::invalid) << forbidden.why;
    EXPECT_EQ(frame.error, CloseCode::protocol_error) << forbidden.why;
    EXPECT_FALSE(frame.error_reason.empty()) << forbidden.why;
  }
}

TEST(FrameParser, TakesRsv1OnAMessagesFirstFrameOnlyWhenDeflateWasNegotiated) {
  auto first = encode({.payload = "abc", .final = false, .reserved_bits = 0x40});
  auto const frame = parse_frame(std::span(first.data(), first.size()), limit, true);
  EXPECT_EQ(frame.status, FrameStatus::complete);
  EXPECT_TRUE(frame.compressed);
  auto plain = testing::text("abc");
  EXPECT_FALSE(parse_frame(std::span(plain.data(), plain.size()), limit, true).compressed);
}

TEST(FrameParser, RefusesRsv1WhereRfc7692ForbidsIt) {
  struct Case {
    std::string bytes;
    bool deflate_negotiated;
    std::string_view why;
  };
  std::vector<Case> const cases = {
      {encode({.reserved_bits = 0x40}), false, "RSV1 without permessage-deflate"},
      {encode({.opcode = Opcode::continuation, .reserved_bits = 0x40}), true, "RSV1 on a continuation frame"},
      {encode({.opcode = Opcode::ping, .reserved_bits = 0x40}), true, "RSV1 on a ping"},
      {encode({.opcode = Opcode::close, .reserved_bits = 0x40}), true, "RSV1 on a close frame"},
      {encode({.reserved_bits = 0x20}), true, "RSV2 with permessage-deflate"},
  };
  for (auto forbidden : cases) {
    auto const frame =
        parse_frame(std::span(forbidden.bytes.data(), forbidden.bytes.size()), limit, forbidden.deflate_negotiated);
    EXPECT_EQ(frame.status, FrameStatus::invalid) << forbidden.why;
    EXPECT_EQ(frame.error, CloseCode::protocol_error) << forbidden.why;
  }
}

TEST(FrameParser, RefusesAnOversizedFrameFromItsHeaderAlone) {
  auto const whole = testing::text(std::string(2000, 'z'));
  std::string header = whole.substr(0, 8);
  auto const frame = parse(header, 1000);
  EXPECT_EQ(frame.status, FrameStatus::invalid);
  EXPECT_EQ(frame.error, CloseCode::message_too_big);
}

}  // namespace
}  // namespace wshub
