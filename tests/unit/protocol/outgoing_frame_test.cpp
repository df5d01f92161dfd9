// Tests server frame encoding: the three length forms, close frames and the shared broadcast frame.
#include "protocol/outgoing_frame.hpp"

#include <gtest/gtest.h>

namespace wshub {
namespace {

TEST(OutgoingFrame, UsesTheShortestLengthForm) {
  struct Case {
    std::size_t payload_bytes;
    std::string header;
  };
  std::vector<Case> const cases = {
      {0, std::string("\x81\x00", 2)},
      {125, "\x81\x7d"},
      {126, std::string("\x81\x7e\x00\x7e", 4)},
      {65535, "\x81\x7e\xff\xff"},
      {65536, std::string("\x81\x7f\x00\x00\x00\x00\x00\x01\x00\x00", 10)},
  };
  for (auto const& expected : cases) {
    std::string frame;
    append_frame(frame, Opcode::text, std::string(expected.payload_bytes, 'x'));
    EXPECT_EQ(frame.substr(0, expected.header.size()), expected.header) << expected.payload_bytes;
    EXPECT_EQ(frame.size(), expected.header.size() + expected.payload_bytes);
  }
}

TEST(OutgoingFrame, JoinsTwoPartsIntoOnePayload) {
  std::string frame = "before";
  append_frame(frame, Opcode::text, "Server echo: ", "hi");
  EXPECT_EQ(frame, "before\x81\x0fServer echo: hi");
}

TEST(OutgoingFrame, EncodesCloseFramesAndCutsLongReasons) {
  std::string empty;
  append_close_frame(empty, std::nullopt, "ignored");
  EXPECT_EQ(empty, std::string("\x88\x00", 2));

  std::string with_code;
  append_close_frame(with_code, 1001, "server shutting down");
  EXPECT_EQ(with_code, "\x88\x16\x03\xe9server shutting down");

  std::string long_reason;
  append_close_frame(long_reason, 1008, std::string(500, 'r'));
  EXPECT_EQ(long_reason.size(), 2 + 2 + max_close_reason_bytes);
}

TEST(OutgoingFrame, SharedFrameKeepsHeaderAndPayloadApart) {
  auto const frame = SharedFrame::text("hello");
  EXPECT_EQ(frame.bytes(), "\x81\x05hello");
  EXPECT_EQ(frame.payload(), "hello");
  auto const copy = frame;
  EXPECT_EQ(copy.bytes().data(), frame.bytes().data());
}

}  // namespace
}  // namespace wshub
