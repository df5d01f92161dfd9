// Decodes a client frame header, checks it against RFC 6455, and unmasks the payload.
#include "protocol/frame_parser.hpp"

#include <cstring>

namespace wshub {
namespace {

constexpr std::uint8_t fin_bit = 0x80;
constexpr std::uint8_t rsv1_bit = 0x40;             // permessage-deflate's "compressed" bit (RFC 7692 section 6)
constexpr std::uint8_t other_reserved_bits = 0x30;  // RSV2-3: no extension we negotiate uses them
constexpr std::uint8_t opcode_bits = 0x0f;
constexpr std::uint8_t mask_bit = 0x80;
constexpr std::uint8_t length_bits = 0x7f;
constexpr std::uint8_t length_in_next_2_bytes = 126;
constexpr std::uint8_t length_in_next_8_bytes = 127;
constexpr std::size_t mask_key_bytes = 4;

bool is_known(std::uint8_t opcode) {
  return opcode <= 0x2 || (opcode >= 0x8 && opcode <= 0xa);
}

ParsedFrame invalid(std::string_view reason, CloseCode code = CloseCode::protocol_error) {
  ParsedFrame frame;
  frame.status = ParsedFrame::Status::invalid;
  frame.error = code;
  frame.error_reason = reason;
  return frame;
}

std::uint64_t read_big_endian(unsigned char const* bytes, std::size_t count) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < count; ++i) value = (value << 8) | bytes[i];
  return value;
}

// Eight bytes per step: masking is the one per-byte cost every message pays.
void unmask(std::span<char> payload, unsigned char const* key) {
  std::uint64_t wide_key = 0;
  for (std::size_t i = 0; i < sizeof wide_key; ++i) reinterpret_cast<unsigned char*>(&wide_key)[i] = key[i % 4];
  std::size_t i = 0;
  for (; i + 8 <= payload.size(); i += 8) {
    std::uint64_t chunk = 0;
    std::memcpy(&chunk, payload.data() + i, 8);
    chunk ^= wide_key;
    std::memcpy(payload.data() + i, &chunk, 8);
  }
  for (; i < payload.size(); ++i) payload[i] = static_cast<char>(payload[i] ^ key[i % 4]);
}

}  // namespace

ParsedFrame parse_frame(std::span<char> bytes, std::size_t max_payload_bytes, bool deflate_negotiated) {
  auto const* header = reinterpret_cast<unsigned char const*>(bytes.data());
  if (bytes.size() < 2) return {};
  if ((header[0] & other_reserved_bits) != 0) return invalid("reserved bits set without an extension");
  if (!is_known(header[0] & opcode_bits)) return invalid("unknown opcode");
  if ((header[1] & mask_bit) == 0) return invalid("client frames must be masked");
  auto const opcode = static_cast<Opcode>(header[0] & opcode_bits);
  bool const final = (header[0] & fin_bit) != 0;
  bool const compressed = (header[0] & rsv1_bit) != 0;
  if (compressed && !deflate_negotiated) return invalid("reserved bits set without an extension");
  // RFC 7692 section 6: only a message's first frame says it is compressed; control frames never are.
  if (compressed && is_control(opcode)) return invalid("compressed control frame");
  if (compressed && opcode == Opcode::continuation) return invalid("RSV1 set on a continuation frame");
  std::uint8_t const short_length = header[1] & length_bits;
  if (is_control(opcode) && !final) return invalid("fragmented control frame");
  if (is_control(opcode) && short_length > max_control_payload_bytes) return invalid("control frame over 125 bytes");

  std::size_t const extra_length_bytes = short_length == length_in_next_2_bytes   ? 2
                                         : short_length == length_in_next_8_bytes ? 8
                                                                                  : 0;
  std::size_t const header_bytes = 2 + extra_length_bytes + mask_key_bytes;
  if (bytes.size() < header_bytes) return {};
  std::uint64_t const length = extra_length_bytes == 0 ? short_length : read_big_endian(header + 2, extra_length_bytes);
  // RFC 6455 section 5.2: the shortest encoding must be used, and a 64-bit length has its top bit clear.
  if (extra_length_bytes == 2 && length < length_in_next_2_bytes) return invalid("length not minimally encoded");
  if (extra_length_bytes == 8 && length <= 0xffff) return invalid("length not minimally encoded");
  if (length >> 63 != 0) return invalid("64-bit length with its top bit set");
  if (length > max_payload_bytes) return invalid("message too big", CloseCode::message_too_big);

  ParsedFrame frame;
  frame.opcode = opcode;
  frame.final = final;
  frame.compressed = compressed;
  std::memcpy(frame.mask_key.data(), header + header_bytes - mask_key_bytes, mask_key_bytes);
  if (bytes.size() - header_bytes < length) {
    frame.payload = bytes.subspan(header_bytes);
    return frame;
  }
  frame.status = ParsedFrame::Status::complete;
  frame.payload = bytes.subspan(header_bytes, static_cast<std::size_t>(length));
  frame.frame_bytes = header_bytes + frame.payload.size();
  unmask(frame.payload, frame.mask_key.data());
  return frame;
}

bool marked_compressed(std::span<char const> bytes) {
  return !bytes.empty() && (static_cast<std::uint8_t>(bytes.front()) & rsv1_bit) != 0;
}

void unmask_copy(std::span<char const> masked, std::size_t offset, MaskKey const& key, std::span<char> out) {
  std::memcpy(out.data(), masked.data(), masked.size());
  MaskKey rotated;
  for (std::size_t i = 0; i < rotated.size(); ++i) rotated[i] = key[(offset + i) % key.size()];
  unmask(out.first(masked.size()), rotated.data());
}

}  // namespace wshub
