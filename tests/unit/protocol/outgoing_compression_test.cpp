// Tests what a client that negotiated permessage-deflate is sent: compressed frames that zlib itself inflates back,
// short messages as they are, broadcasts compressed once and shared, a smaller window honoured.
#include "protocol/outgoing_compression.hpp"

#include <zlib.h>

#include <gtest/gtest.h>

namespace wshub {
namespace {

constexpr std::uint8_t rsv1 = 0x40;

struct ServerFrame {
  std::uint8_t first_byte = 0;
  std::string payload;
};

// Reads one unmasked server frame with the shortest length form.
ServerFrame read_frame(std::string_view bytes) {
  ServerFrame frame{static_cast<std::uint8_t>(bytes[0]), {}};
  std::size_t length = static_cast<unsigned char>(bytes[1]) & 0x7f;
  std::size_t header = 2;
  if (length >= 126) {
    std::size_t const length_bytes = length == 126 ? 2 : 8;
    length = 0;
    for (std::size_t i = 0; i < length_bytes; ++i) length = length << 8 | static_cast<unsigned char>(bytes[2 + i]);
    header += length_bytes;
  }
  EXPECT_EQ(bytes.size(), header + length);
  frame.payload = std::string(bytes.substr(header));
  return frame;
}

// Inflates as a client does (RFC 7692 section 7.2.2), with zlib itself; window_bits as the client agreed.
std::string inflate_raw(std::string compressed, int window_bits = 15) {
  compressed.append("\0\0\xff\xff", 4);
  z_stream stream{};
  EXPECT_EQ(inflateInit2(&stream, -window_bits), Z_OK);
  std::string out(1 << 20, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(compressed.data());
  stream.avail_in = static_cast<uInt>(compressed.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  auto const result = inflate(&stream, Z_SYNC_FLUSH);
  EXPECT_TRUE(result == Z_OK || result == Z_STREAM_END) << result;
  EXPECT_EQ(stream.avail_in, 0U);
  out.resize(out.size() - stream.avail_out);
  inflateEnd(&stream);
  return out;
}

std::string chat_messages(int count) {
  std::string text;
  for (int i = 0; i < count; ++i)
    text += R"({"from":"alice","to":"room","text":"see you at the station at )" + std::to_string(i) + R"("})";
  return text;
}

TEST(OutgoingCompression, CompressesAnEchoThatZlibInflatesBack) {
  OutgoingCompression const compression({.enabled = true, .level = 6, .min_message_bytes = 64}, {});
  auto const text = chat_messages(10);
  std::string out;
  auto const wire_bytes = compression.append_text_frame(out, "Server echo: ", text);
  auto const frame = read_frame(out);
  EXPECT_EQ(frame.first_byte, 0x80 | rsv1 | 0x1);
  EXPECT_EQ(frame.payload.size(), wire_bytes);
  EXPECT_LT(wire_bytes, text.size() / 2);
  EXPECT_EQ(inflate_raw(frame.payload), "Server echo: " + text);
}

TEST(OutgoingCompression, SendsShortMessagesAsTheyAre) {
  OutgoingCompression const compression({.enabled = true, .level = 6, .min_message_bytes = 64}, {});
  std::string out;
  EXPECT_EQ(compression.append_text_frame(out, "Server echo: ", "hi"), 15U);
  EXPECT_EQ(read_frame(out).first_byte, 0x81);
  EXPECT_EQ(read_frame(out).payload, "Server echo: hi");
}

TEST(OutgoingCompression, CompressesEverythingWithAMinimumOfZero) {
  OutgoingCompression const compression({.enabled = true, .level = 1, .min_message_bytes = 0}, {});
  std::string out;
  compression.append_text_frame(out, "", "");
  auto const frame = read_frame(out);
  EXPECT_EQ(frame.first_byte, 0x80 | rsv1 | 0x1);
  EXPECT_EQ(inflate_raw(frame.payload), "");
}

TEST(OutgoingCompression, WithoutNegotiationSendsEverythingAsItIs) {
  OutgoingCompression const compression;
  EXPECT_FALSE(compression.negotiated());
  auto const shared = SharedFrame::text(chat_messages(10));
  auto const sent = compression.frame_for(shared);
  EXPECT_EQ(sent.bytes().data(), shared.bytes().data());
}

TEST(OutgoingCompression, CompressesABroadcastOnceForEveryClient) {
  OutgoingCompression const one({.enabled = true, .level = 6, .min_message_bytes = 64}, {});
  OutgoingCompression const another({.enabled = true, .level = 6, .min_message_bytes = 64},
                                    {.server_no_context_takeover = true, .client_no_context_takeover = true});
  auto const text = chat_messages(20);
  auto const shared = SharedFrame::text(text);
  auto const first = one.frame_for(shared);
  auto const second = another.frame_for(shared);
  EXPECT_EQ(first.bytes().data(), second.bytes().data());  // the same bytes, compressed once
  EXPECT_EQ(read_frame(first.bytes()).first_byte, 0x80 | rsv1 | 0x1);
  EXPECT_EQ(inflate_raw(std::string(first.payload())), text);
  EXPECT_EQ(shared.payload(), text);  // the plain frame is still there for clients without compression
}

TEST(OutgoingCompression, HonoursASmallerWindowWithAFrameOfItsOwn) {
  OutgoingCompression const small({.enabled = true, .level = 9, .min_message_bytes = 64},
                                  {.server_no_context_takeover = true, .server_max_window_bits = 9});
  std::string text;
  for (int i = 0; i < 200; ++i) text += "abcdefghijklmnopqrstuvwxyz0123456789"[i % 36];
  text += text + text;  // repeats 200 bytes back: within a 512-byte window
  auto const shared = SharedFrame::text(text);
  auto const sent = small.frame_for(shared);
  EXPECT_NE(sent.bytes().data(), shared.deflated(9).bytes().data());
  EXPECT_EQ(inflate_raw(std::string(sent.payload()), 9), text);
}

TEST(OutgoingCompression, AnEchoHonoursASmallerWindow) {
  OutgoingCompression const small({.enabled = true, .level = 6, .min_message_bytes = 0},
                                  {.server_max_window_bits = 10});
  auto const text = chat_messages(50);
  std::string out;
  small.append_text_frame(out, "", text);
  EXPECT_EQ(inflate_raw(read_frame(out).payload, 10), text);
}

}  // namespace
}  // namespace wshub
