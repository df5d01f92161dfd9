// Tests compressed client messages (RFC 7692): inflated frame by frame, held to the size limit, validated as text.
#include <zlib.h>

#include <gtest/gtest.h>

#include "client_frames.hpp"
#include "protocol/message_reader.hpp"

namespace wshub {
namespace {

using testing::encode;
using testing::rsv1;
using Kind = ClientEvent::Kind;

// Compresses as a client does (RFC 7692 section 7.2.1), with zlib itself rather than the server's own deflater.
std::string deflate_raw(std::string_view text) {
  z_stream stream{};
  EXPECT_EQ(deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&stream, text.size()) + 16, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  stream.avail_in = static_cast<uInt>(text.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&stream, Z_SYNC_FLUSH), Z_OK);
  out.resize(out.size() - stream.avail_out);
  deflateEnd(&stream);
  EXPECT_TRUE(out.ends_with(std::string_view("\0\0\xff\xff", 4)));
  out.resize(out.size() - 4);
  return out;
}

std::string compressed_text(std::string_view text) {
  return encode({.payload = deflate_raw(text), .reserved_bits = rsv1});
}

struct ReadEvent {
  Kind kind;
  std::string payload;
  std::optional<std::uint16_t> close_code;
  std::optional<std::size_t> compressed_bytes;
};

std::vector<ReadEvent> read_events(std::string bytes, std::size_t max_message_bytes = 1000, bool deflate = true) {
  MessageReader reader(max_message_bytes, deflate);
  std::span<char> input(bytes.data(), bytes.size());
  std::vector<ReadEvent> seen;
  for (;;) {
    auto const event = reader.next(input);
    if (event.kind == Kind::need_more_bytes) return seen;
    seen.push_back({event.kind, std::string(event.payload), event.close_code, event.compressed_bytes});
    if (event.kind == Kind::violation) return seen;
  }
}

void expect_closed_with(std::string bytes, CloseCode close_code, std::size_t max_message_bytes = 1000,
                        bool deflate = true) {
  auto const seen = read_events(std::move(bytes), max_message_bytes, deflate);
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back().kind, Kind::violation);
  EXPECT_EQ(seen.back().close_code, static_cast<std::uint16_t>(close_code));
}

TEST(CompressedMessages, InflateRfc7692sExample) {
  auto const seen =
      read_events(encode({.payload = std::string_view("\xf2\x48\xcd\xc9\xc9\x07\x00", 7), .reserved_bits = rsv1}));
  ASSERT_EQ(seen.size(), 1U);
  EXPECT_EQ(seen[0].kind, Kind::text);
  EXPECT_EQ(seen[0].payload, "Hello");
  EXPECT_EQ(seen[0].compressed_bytes, 7U);
}

TEST(CompressedMessages, InflateAcrossFragmentsWithControlFramesBetween) {
  std::string text;
  for (int i = 0; i < 40; ++i) text += "{\"user\":" + std::to_string(i) + ",\"text\":\"hello there\"}";
  auto const compressed = deflate_raw(text);
  auto const third = compressed.size() / 3;
  auto const bytes =
      encode({.payload = compressed.substr(0, third), .final = false, .reserved_bits = rsv1}) +
      encode({.opcode = Opcode::ping, .payload = "p"}) +
      encode({.opcode = Opcode::continuation, .payload = compressed.substr(third, third), .final = false}) +
      encode({.opcode = Opcode::continuation, .payload = compressed.substr(2 * third)});
  auto const seen = read_events(bytes, 4096);
  ASSERT_EQ(seen.size(), 2U);
  EXPECT_EQ(seen[0].kind, Kind::ping);
  EXPECT_EQ(seen[1].kind, Kind::text);
  EXPECT_EQ(seen[1].payload, text);
  EXPECT_EQ(seen[1].compressed_bytes, compressed.size());
}

TEST(CompressedMessages, MixWithPlainMessagesOnOneConnection) {
  auto const seen = read_events(compressed_text("first, compressed") + testing::text("second, plain") +
                                compressed_text("third, compressed again"));
  ASSERT_EQ(seen.size(), 3U);
  EXPECT_EQ(seen[0].payload, "first, compressed");
  EXPECT_EQ(seen[1].payload, "second, plain");
  EXPECT_FALSE(seen[1].compressed_bytes.has_value());
  EXPECT_EQ(seen[2].payload, "third, compressed again");
}

TEST(CompressedMessages, AreHeldToTheLimitOnceInflated) {
  EXPECT_EQ(read_events(compressed_text(std::string(1000, 'a'))).at(0).kind, Kind::text);
  expect_closed_with(compressed_text(std::string(1001, 'a')), CloseCode::message_too_big);
}

TEST(CompressedMessages, ABombStopsAtTheLimit) {
  auto const bomb = compressed_text(std::string(8 * 1024 * 1024, '\0'));
  EXPECT_LT(bomb.size(), 16U * 1024);
  expect_closed_with(bomb, CloseCode::message_too_big, 64 * 1024);
}

TEST(CompressedMessages, ThatAreNotDeflateAreRefused) {
  expect_closed_with(encode({.payload = "\xff\xff\xff\xff\xff", .reserved_bits = rsv1}), CloseCode::invalid_payload);
}

TEST(CompressedMessages, ThatInflateToInvalidUtf8AreRefused) {
  expect_closed_with(compressed_text("caf\xc3"), CloseCode::invalid_payload);
  expect_closed_with(compressed_text("\xff is never UTF-8"), CloseCode::invalid_payload);
}

TEST(CompressedMessages, AreAViolationWithoutTheExtension) {
  expect_closed_with(compressed_text("not negotiated"), CloseCode::protocol_error, 1000, false);
}

TEST(CompressedMessages, BinaryIsStillUnsupported) {
  expect_closed_with(encode({.opcode = Opcode::binary, .payload = deflate_raw("bytes"), .reserved_bits = rsv1}),
                     CloseCode::unsupported_data);
}

// Only compressed data may run over by deflate's overhead: plain text is refused from its header, as without the
// extension, so that the answer does not depend on how much of the payload has arrived (the fuzzer found 1007 for
// a byte-by-byte read where a whole read gave 1009).
TEST(CompressedMessages, PlainTextOverTheLimitIsRefusedFromItsHeader) {
  auto const plain = testing::text(std::string(1001, 'a'));
  std::size_t const header_bytes = 2 + 2 + 4;  // 126 marker, 16-bit length, mask key
  expect_closed_with(plain.substr(0, header_bytes), CloseCode::message_too_big);
  auto const in_a_fragment = encode({.payload = std::string(500, 'a'), .final = false}) +
                             encode({.opcode = Opcode::continuation, .payload = std::string(501, 'a')});
  expect_closed_with(in_a_fragment.substr(0, in_a_fragment.size() - 501), CloseCode::message_too_big);
}

TEST(CompressedMessages, ArriveByteByByte) {
  std::string const text = "a message that arrives one byte at a time, compressed";
  auto bytes = compressed_text(text) + compressed_text(text);
  MessageReader reader(1000, true);
  std::vector<std::string> seen;
  std::size_t start = 0;
  for (std::size_t end = 1; end <= bytes.size(); ++end) {
    std::span<char> input(bytes.data() + start, end - start);
    auto const event = reader.next(input);
    if (event.kind == Kind::text) seen.emplace_back(event.payload);
    ASSERT_NE(event.kind, Kind::violation) << event.payload;
    start = end - input.size();
  }
  EXPECT_EQ(seen, (std::vector<std::string>{text, text}));
}

}  // namespace
}  // namespace wshub
