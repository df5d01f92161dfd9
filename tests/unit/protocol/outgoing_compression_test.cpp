// Tests what a client that negotiated permessage-deflate is sent: compressed frames that zlib itself inflates back,
// short messages as they are, broadcasts compressed once and shared, a smaller window honoured, and a busy
// connection's history kept between messages within a bounded number of deflaters.
#include "protocol/outgoing_compression.hpp"

#include <memory>
#include <random>
#include <vector>

#include <zlib.h>

#include <gtest/gtest.h>

#include "client_frames.hpp"

namespace wshub {
namespace {

using testing::rsv1;

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
  OutgoingCompression compression({.enabled = true, .level = 6, .min_message_bytes = 64}, {});
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
  OutgoingCompression compression({.enabled = true, .level = 6, .min_message_bytes = 64}, {});
  std::string out;
  EXPECT_EQ(compression.append_text_frame(out, "Server echo: ", "hi"), 15U);
  EXPECT_EQ(read_frame(out).first_byte, 0x81);
  EXPECT_EQ(read_frame(out).payload, "Server echo: hi");
}

TEST(OutgoingCompression, CompressesEverythingWithAMinimumOfZero) {
  OutgoingCompression compression({.enabled = true, .level = 1, .min_message_bytes = 0}, {});
  std::string out;
  compression.append_text_frame(out, "", "");
  auto const frame = read_frame(out);
  EXPECT_EQ(frame.first_byte, 0x80 | rsv1 | 0x1);
  EXPECT_EQ(inflate_raw(frame.payload), "");
}

TEST(OutgoingCompression, WithoutNegotiationSendsEverythingAsItIs) {
  OutgoingCompression compression;
  EXPECT_FALSE(compression.negotiated());
  auto const shared = SharedFrame::text(chat_messages(10));
  auto const sent = compression.frame_for(shared);
  EXPECT_EQ(sent.bytes().data(), shared.bytes().data());
}

TEST(OutgoingCompression, CompressesABroadcastOnceForEveryClient) {
  OutgoingCompression one({.enabled = true, .level = 6, .min_message_bytes = 64}, {});
  OutgoingCompression another({.enabled = true, .level = 6, .min_message_bytes = 64},
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
  OutgoingCompression small({.enabled = true, .level = 9, .min_message_bytes = 64},
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
  OutgoingCompression small({.enabled = true, .level = 6, .min_message_bytes = 0}, {.server_max_window_bits = 10});
  auto const text = chat_messages(50);
  std::string out;
  small.append_text_frame(out, "", text);
  EXPECT_EQ(inflate_raw(read_frame(out).payload, 10), text);
}

// A client's inflater as browsers keep it (the server did not ask for server_no_context_takeover): one zlib stream
// for the connection's life, whose window holds every compressed message it inflated, in order.
class ClientInflater {
 public:
  explicit ClientInflater(int window_bits = 15) { EXPECT_EQ(inflateInit2(&stream_, -window_bits), Z_OK); }
  ClientInflater(ClientInflater const&) = delete;
  ClientInflater& operator=(ClientInflater const&) = delete;
  ~ClientInflater() { inflateEnd(&stream_); }

  // The text of one whole server frame: inflated if RSV1 is set, as it is otherwise.
  std::string text_of(std::string_view frame_bytes) {
    auto frame = read_frame(frame_bytes);
    if ((frame.first_byte & rsv1) == 0) return frame.payload;
    frame.payload.append("\0\0\xff\xff", 4);
    std::string out(1 << 20, '\0');
    stream_.next_in = reinterpret_cast<Bytef*>(frame.payload.data());
    stream_.avail_in = static_cast<uInt>(frame.payload.size());
    stream_.next_out = reinterpret_cast<Bytef*>(out.data());
    stream_.avail_out = static_cast<uInt>(out.size());
    EXPECT_EQ(inflate(&stream_, Z_SYNC_FLUSH), Z_OK);
    EXPECT_EQ(stream_.avail_in, 0U);
    out.resize(out.size() - stream_.avail_out);
    return out;
  }

 private:
  z_stream stream_{};
};

DeflateOptions const busy_options{.enabled = true, .level = 6, .min_message_bytes = 64};

// Chat-like messages that repeat one another's words, so that a deflater with history refers back to them.
std::string random_chat_message(std::mt19937& generator) {
  static constexpr std::string_view words[] = {"deploy", "review", "merge", "the", "branch", "failing", "test",
                                               "lunch",  "coffee", "yes",   "ok",  "ticket", "shipped", "team"};
  std::uniform_int_distribution<std::size_t> word(0, std::size(words) - 1);
  std::uniform_int_distribution<int> length(70, 400);
  std::string text =
      R"({"type":"chat","room":"general","user":"user)" + std::to_string(generator() % 100) + R"(","text":")";
  auto const target = static_cast<std::size_t>(length(generator));
  while (text.size() < target) {
    text += words[word(generator)];
    text += ' ';
  }
  text += R"("})";
  return text;
}

std::size_t echo_wire_bytes(OutgoingCompression& compression, int messages) {
  std::mt19937 generator(7);
  ClientInflater client;
  std::size_t wire_bytes = 0;
  for (int each = 0; each < messages; ++each) {
    auto const text = random_chat_message(generator);
    std::string out;
    wire_bytes += compression.append_text_frame(out, "Server echo: ", text);
    EXPECT_EQ(client.text_of(out), "Server echo: " + text);
  }
  return wire_bytes;
}

TEST(OutgoingCompression, ABusyConnectionRefersBackToWhatItSentBefore) {
  DeflaterBudget contexts(1);
  OutgoingCompression with_history(busy_options, {}, &contexts);
  OutgoingCompression without_history(busy_options, {.server_no_context_takeover = true}, &contexts);
  auto const kept = echo_wire_bytes(with_history, 200);
  auto const alone = echo_wire_bytes(without_history, 200);
  EXPECT_TRUE(with_history.holds_context());
  EXPECT_FALSE(without_history.holds_context());
  EXPECT_LT(kept * 2, alone);
}

// Every kind of frame a connection can be sent, in a long random order, read by one client inflater that keeps its
// window: echoes (compressed with the connection's history), short ones sent as they are (outside the window),
// broadcasts compressed once for everyone (in the window, unknown to the connection's deflater), the deflater
// dropped when idle and the budget lent to someone else for a while.
TEST(OutgoingCompression, AClientThatKeepsItsWindowDecodesEveryInterleaving) {
  DeflaterBudget contexts(1);
  OutgoingCompression compression(busy_options, {}, &contexts);
  ClientInflater client;
  std::mt19937 generator(11);
  std::unique_ptr<OutgoingCompression> rival;
  std::size_t echoes_with_history = 0;
  for (int step = 0; step < 3000; ++step) {
    auto const text = random_chat_message(generator);
    std::string expected;
    std::string bytes;
    switch (generator() % 8) {
      case 0: {  // a broadcast, compressed once for every client
        auto const sent = compression.frame_for(SharedFrame::text(text));
        expected = text;
        bytes = sent.bytes();
        break;
      }
      case 1:  // too short to compress
        compression.append_text_frame(bytes, "Server echo: ", text.substr(0, 20));
        expected = "Server echo: " + text.substr(0, 20);
        break;
      case 2:  // a tick of the keepalive: drops the deflater if nothing was compressed since the last one
        compression.drop_context_if_idle();
        continue;
      case 3:  // another connection takes the only deflater, or gives it back
        if (rival) {
          rival.reset();
        } else {
          rival = std::make_unique<OutgoingCompression>(busy_options, DeflateParameters{}, &contexts);
          std::string ignored;
          rival->append_text_frame(ignored, "", text);
        }
        continue;
      default:
        echoes_with_history += compression.holds_context() ? 1 : 0;
        compression.append_text_frame(bytes, "Server echo: ", text);
        expected = "Server echo: " + text;
    }
    ASSERT_EQ(client.text_of(bytes), expected) << "step " << step;
  }
  EXPECT_GT(echoes_with_history, 100U);
}

TEST(OutgoingCompression, ASmallerWindowKeepsItsHistoryWithBroadcastsInIt) {
  DeflaterBudget contexts(1);
  OutgoingCompression compression(busy_options, {.server_max_window_bits = 9}, &contexts);
  ClientInflater client(9);
  std::mt19937 generator(5);
  for (int step = 0; step < 500; ++step) {
    auto const text = random_chat_message(generator);
    if (step % 3 == 0) {
      ASSERT_EQ(client.text_of(compression.frame_for(SharedFrame::text(text)).bytes()), text);
      continue;
    }
    std::string out;
    compression.append_text_frame(out, "Server echo: ", text);
    ASSERT_EQ(client.text_of(out), "Server echo: " + text);
  }
  EXPECT_TRUE(compression.holds_context());
}

TEST(OutgoingCompression, NoMoreConnectionsHoldADeflaterThanTheBudgetAllows) {
  DeflaterBudget contexts(3);
  std::vector<std::unique_ptr<OutgoingCompression>> connections;
  for (int each = 0; each < 10; ++each) {
    connections.push_back(std::make_unique<OutgoingCompression>(busy_options, DeflateParameters{}, &contexts));
  }
  std::mt19937 generator(3);
  std::vector<ClientInflater> clients(connections.size());
  for (int round = 0; round < 20; ++round) {
    for (std::size_t each = 0; each < connections.size(); ++each) {
      auto const text = random_chat_message(generator);
      std::string out;
      connections[each]->append_text_frame(out, "", text);
      ASSERT_EQ(clients[each].text_of(out), text);
      ASSERT_LE(contexts.live(), 3U);
    }
  }
  EXPECT_EQ(contexts.live(), 3U);
  EXPECT_TRUE(connections[0]->holds_context());
  EXPECT_FALSE(connections[3]->holds_context());
  connections[0].reset();  // its slot goes back to the budget
  EXPECT_EQ(contexts.live(), 2U);
  std::string out;
  connections[3]->append_text_frame(out, "", random_chat_message(generator));
  EXPECT_TRUE(connections[3]->holds_context());
}

TEST(OutgoingCompression, AnIdleConnectionGivesItsDeflaterBack) {
  DeflaterBudget contexts(1);
  OutgoingCompression compression(busy_options, {}, &contexts);
  std::mt19937 generator(1);
  std::string out;
  compression.append_text_frame(out, "", random_chat_message(generator));
  compression.drop_context_if_idle();  // it compressed since the last tick: kept
  EXPECT_TRUE(compression.holds_context());
  compression.append_text_frame(out, "", "short");  // sent as it is: not a use of the deflater
  compression.drop_context_if_idle();
  EXPECT_FALSE(compression.holds_context());
  EXPECT_EQ(contexts.live(), 0U);
}

TEST(OutgoingCompression, AnEmptyBudgetCompressesEachMessageOnItsOwn) {
  DeflaterBudget contexts(0);
  OutgoingCompression compression(busy_options, {}, &contexts);
  EXPECT_GT(echo_wire_bytes(compression, 50), 0U);
  EXPECT_FALSE(compression.holds_context());
}

}  // namespace
}  // namespace wshub
