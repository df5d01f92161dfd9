// SHA-1 (FIPS 180-4), which RFC 6455 uses to derive Sec-WebSocket-Accept; not for anything that needs security.
#include "protocol/sha1.hpp"

#include <algorithm>
#include <bit>
#include <span>

namespace wshub {
namespace {

constexpr std::size_t block_bytes = 64;
// The message is followed by the byte 0x80 and its length in bits as a 64-bit number (FIPS 180-4 section 5.1.1).
constexpr std::size_t padding_min_bytes = 1 + 8;

using State = std::array<std::uint32_t, 5>;
using Block = std::span<char const, block_bytes>;
using Schedule = std::array<std::uint32_t, 80>;

std::uint32_t load_big_endian(char const* bytes) {
  auto const byte = [bytes](std::size_t i) { return std::uint32_t{static_cast<std::uint8_t>(bytes[i])}; };
  return byte(0) << 24 | byte(1) << 16 | byte(2) << 8 | byte(3);
}

// FIPS 180-4 section 4.1.1: the function that mixes b, c and d, one for each group of 20 rounds.
std::uint32_t choose(std::uint32_t b, std::uint32_t c, std::uint32_t d) {
  return (b & c) | (~b & d);
}
std::uint32_t parity(std::uint32_t b, std::uint32_t c, std::uint32_t d) {
  return b ^ c ^ d;
}
std::uint32_t majority(std::uint32_t b, std::uint32_t c, std::uint32_t d) {
  return (b & c) | (b & d) | (c & d);
}

// FIPS 180-4 section 6.1.2, step 2: the 80 words of the message schedule.
Schedule schedule_of(Block block) {
  Schedule words{};
  for (std::size_t t = 0; t < 16; ++t) words[t] = load_big_endian(block.data() + 4 * t);
  for (std::size_t t = 16; t < 80; ++t) {
    words[t] = std::rotl(words[t - 3] ^ words[t - 8] ^ words[t - 14] ^ words[t - 16], 1);
  }
  return words;
}

// FIPS 180-4 section 6.1.2, step 4, for one group of 20 rounds; `working` holds a, b, c, d and e. Unrolled, the
// rounds keep them in registers instead of moving them along each round: about 800 fewer instructions a block.
template <auto mix>
void twenty_rounds(State& working, std::span<std::uint32_t const, 20> words, std::uint32_t constant) {
#pragma GCC unroll 20
  for (auto const word : words) {
    auto const& [a, b, c, d, e] = working;
    std::uint32_t const next = std::rotl(a, 5) + mix(b, c, d) + e + constant + word;
    working = {next, a, std::rotl(b, 30), c, d};
  }
}

// FIPS 180-4 section 6.1.2: one 512-bit block into the state.
void compress(State& state, Block block) {
  Schedule const words = schedule_of(block);
  State working = state;
  twenty_rounds<choose>(working, std::span(words).subspan<0, 20>(), 0x5A827999);
  twenty_rounds<parity>(working, std::span(words).subspan<20, 20>(), 0x6ED9EBA1);
  twenty_rounds<majority>(working, std::span(words).subspan<40, 20>(), 0x8F1BBCDC);
  twenty_rounds<parity>(working, std::span(words).subspan<60, 20>(), 0xCA62C1D6);
  for (std::size_t i = 0; i < state.size(); ++i) state[i] += working[i];
}

// The last bytes of the message and the padding fill one block, or two if fewer than 9 bytes are left after them.
void compress_last_blocks(State& state, std::string_view rest, std::uint64_t message_bytes) {
  std::array<char, 2 * block_bytes> tail{};
  std::ranges::copy(rest, tail.begin());  // not memcpy: an empty view may hold a null pointer
  tail[rest.size()] = static_cast<char>(0x80);
  std::size_t const tail_bytes = rest.size() + padding_min_bytes <= block_bytes ? block_bytes : 2 * block_bytes;
  std::uint64_t const message_bits = message_bytes * 8;
  for (std::size_t i = 0; i < 8; ++i) tail[tail_bytes - 1 - i] = static_cast<char>(message_bits >> (8 * i));
  for (std::size_t offset = 0; offset < tail_bytes; offset += block_bytes) {
    compress(state, Block(tail.data() + offset, block_bytes));
  }
}

}  // namespace

std::array<std::uint8_t, 20> sha1(std::string_view data) {
  State state{0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};  // FIPS 180-4 section 5.3.1
  std::size_t const whole_blocks_bytes = data.size() - data.size() % block_bytes;
  for (std::size_t offset = 0; offset < whole_blocks_bytes; offset += block_bytes) {
    compress(state, Block(data.data() + offset, block_bytes));
  }
  compress_last_blocks(state, data.substr(whole_blocks_bytes), data.size());
  std::array<std::uint8_t, 20> digest{};
  for (std::size_t i = 0; i < digest.size(); ++i) {
    digest[i] = static_cast<std::uint8_t>(state[i / 4] >> (24 - 8 * (i % 4)));
  }
  return digest;
}

}  // namespace wshub
