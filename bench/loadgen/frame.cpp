// WebSocket framing as a client does it (RFC 6455 section 5): masked frames out, unmasked server frames in.
#include "frame.hpp"

#include <cstring>

namespace loadgen {
namespace {

constexpr std::uint8_t kFinalBit = 0x80;
constexpr std::uint8_t kCompressedBit = 0x40;
constexpr std::uint8_t kUndefinedReservedBits = 0x30;
constexpr std::uint8_t kOpcodeBits = 0x0F;
constexpr std::uint8_t kMaskBit = 0x80;
constexpr std::uint8_t kLengthBits = 0x7F;
constexpr std::uint8_t k16BitLength = 126;
constexpr std::uint8_t k64BitLength = 127;
// Far above anything a scenario sends; a larger length means the stream is garbage.
constexpr std::uint64_t kMaxPayloadBytes = 64 * 1024 * 1024;

constexpr ParsedFrame kIncomplete{};
constexpr ParsedFrame kInvalid{.status = FrameStatus::invalid, .frame = {}, .size = 0};

bool is_known_opcode(std::uint8_t opcode) {
  return opcode <= 0x2 || (opcode >= 0x8 && opcode <= 0xA);
}

void append_big_endian(std::string& out, std::uint64_t value, int bytes) {
  for (int shift = 8 * (bytes - 1); shift >= 0; shift -= 8) out.push_back(static_cast<char>(value >> shift));
}

std::uint64_t read_big_endian(std::string_view bytes) {
  std::uint64_t value = 0;
  for (char byte : bytes) value = (value << 8) | static_cast<std::uint8_t>(byte);
  return value;
}

// Masking is the one per-byte cost of a client, so do it eight bytes at a time.
void mask_in_place(char* data, std::size_t size, MaskKey mask) {
  std::uint32_t mask32;
  std::memcpy(&mask32, mask.data(), sizeof mask32);
  const std::uint64_t mask64 = (std::uint64_t{mask32} << 32) | mask32;
  std::size_t i = 0;
  for (; i + sizeof mask64 <= size; i += sizeof mask64) {
    std::uint64_t word;
    std::memcpy(&word, data + i, sizeof word);
    word ^= mask64;
    std::memcpy(data + i, &word, sizeof word);
  }
  for (; i < size; ++i) data[i] = static_cast<char>(data[i] ^ mask[i % 4]);
}

}  // namespace

void append_client_frame(std::string& out, Opcode opcode, std::string_view payload, MaskKey mask, bool compressed) {
  out.push_back(static_cast<char>(kFinalBit | (compressed ? kCompressedBit : 0) | static_cast<std::uint8_t>(opcode)));
  if (payload.size() < k16BitLength) {
    out.push_back(static_cast<char>(kMaskBit | payload.size()));
  } else if (payload.size() <= 0xFFFF) {
    out.push_back(static_cast<char>(kMaskBit | k16BitLength));
    append_big_endian(out, payload.size(), 2);
  } else {
    out.push_back(static_cast<char>(kMaskBit | k64BitLength));
    append_big_endian(out, payload.size(), 8);
  }
  out.append(reinterpret_cast<const char*>(mask.data()), mask.size());
  const std::size_t payload_start = out.size();
  out.append(payload);
  mask_in_place(out.data() + payload_start, payload.size(), mask);
}

ParsedFrame parse_server_frame(std::string_view bytes) {
  if (bytes.size() < 2) return kIncomplete;
  const auto first = static_cast<std::uint8_t>(bytes[0]);
  const auto second = static_cast<std::uint8_t>(bytes[1]);
  const std::uint8_t opcode = first & kOpcodeBits;
  if ((first & kUndefinedReservedBits) != 0 || (second & kMaskBit) != 0 || !is_known_opcode(opcode)) {
    return kInvalid;
  }
  std::size_t header_size = 2;
  std::uint64_t payload_size = second & kLengthBits;
  if (payload_size == k16BitLength || payload_size == k64BitLength) {
    const std::size_t length_size = payload_size == k16BitLength ? 2 : 8;
    if (bytes.size() < header_size + length_size) return kIncomplete;
    payload_size = read_big_endian(bytes.substr(header_size, length_size));
    header_size += length_size;
  }
  if (payload_size > kMaxPayloadBytes) return kInvalid;
  if (bytes.size() - header_size < payload_size) return kIncomplete;
  return {.status = FrameStatus::complete,
          .frame = {.final = (first & kFinalBit) != 0,
                    .opcode = static_cast<Opcode>(opcode),
                    .compressed = (first & kCompressedBit) != 0,
                    .payload = bytes.substr(header_size, payload_size)},
          .size = header_size + payload_size};
}

}  // namespace loadgen
