// JSON chat messages of one size, cut from a seeded stream of words, for the compression runs: text that compresses
// as people's messages do, not the same string over and over (which would compress unrealistically well).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace loadgen {

class ChatMessages {
 public:
  // Messages of exactly `size` bytes (at least kMinChatMessageBytes), from a word stream of `stream_bytes` built
  // from `seed`. Throws std::invalid_argument for a size too small for the JSON around the text.
  ChatMessages(std::size_t size, std::uint64_t seed, std::size_t stream_bytes);

  // Message `sequence`: always the same for the same sequence; the view is valid until the next call.
  std::string_view message(std::uint64_t sequence);

 private:
  std::string words_;
  std::size_t size_;
  std::uint64_t seed_;
  std::string message_;
};

// Room for the JSON envelope and a few words.
inline constexpr std::size_t kMinChatMessageBytes = 128;
// The word stream the kit used: 1 MiB.
inline constexpr std::size_t kChatStreamBytes = std::size_t{1} << 20;
inline constexpr std::uint64_t kChatSeed = 16;

}  // namespace loadgen
