// What a connection's text messages cost on the wire: their text and their frames' payloads (compressed or not),
// each way, to show what compression saves.
#pragma once

#include <cstdint>
#include <optional>

namespace loadgen {

struct MessageBytes {
  std::uint64_t text_sent = 0;
  std::uint64_t wire_sent = 0;
  std::uint64_t text_received = 0;
  std::uint64_t wire_received = 0;

  MessageBytes& operator+=(const MessageBytes& other) {
    text_sent += other.text_sent;
    wire_sent += other.wire_sent;
    text_received += other.text_received;
    wire_received += other.wire_received;
    return *this;
  }

  MessageBytes operator-(const MessageBytes& earlier) const {
    return {.text_sent = text_sent - earlier.text_sent,
            .wire_sent = wire_sent - earlier.wire_sent,
            .text_received = text_received - earlier.text_received,
            .wire_received = wire_received - earlier.wire_received};
  }

  // Bytes on the wire per byte of text: below 1 when compression pays; empty before any text.
  std::optional<double> sent_ratio() const { return ratio(wire_sent, text_sent); }
  std::optional<double> received_ratio() const { return ratio(wire_received, text_received); }

 private:
  static std::optional<double> ratio(std::uint64_t wire, std::uint64_t text) {
    if (text == 0) return std::nullopt;
    return static_cast<double>(wire) / static_cast<double>(text);
  }
};

}  // namespace loadgen
