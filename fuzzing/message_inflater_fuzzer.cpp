// Fuzzes permessage-deflate's codec: arbitrary bytes inflated as one compressed message, fed whole and in pieces,
// under a small limit; and the bytes themselves deflated and inflated back.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "protocol/message_deflater.hpp"
#include "protocol/message_inflater.hpp"

namespace wshub::fuzzing {
namespace {

using Status = MessageInflater::Status;

// Far below the server's 16 MiB, so that a few bytes of input (a small bomb) reach it.
constexpr std::size_t max_message_bytes = 4096;

struct Inflated {
  Status status;
  std::string message;
};

// Feeds the bytes in pieces that next_piece sizes, then finishes the message, checking the limit at every step.
Inflated inflate_in_pieces(MessageInflater& inflater, std::string_view compressed,
                           std::function<std::size_t(std::size_t)> const& next_piece) {
  Inflated result{Status::ok, {}};
  while (!compressed.empty() && result.status == Status::ok) {
    std::size_t const piece = next_piece(compressed.size());
    result.status = inflater.feed(compressed.substr(0, piece), result.message, max_message_bytes);
    compressed.remove_prefix(std::min(piece, compressed.size()));
    check(result.message.size() <= max_message_bytes + 1, "a feed never writes past the limit and one byte");
  }
  if (result.status == Status::ok) result.status = inflater.finish(result.message, max_message_bytes);
  check(result.message.size() <= max_message_bytes + 1, "finishing never writes past the limit and one byte");
  check(result.status != Status::ok || result.message.size() <= max_message_bytes, "a whole message fits the limit");
  return result;
}

void check_inflate(std::string_view bytes, std::uint32_t cut_seed) {
  MessageInflater inflater;
  Inflated const at_once = inflate_in_pieces(inflater, bytes, [](std::size_t left) { return left; });
  std::minstd_rand cuts(cut_seed);
  // A pooled inflater, as a connection borrows one: reset, whatever the last message left in it.
  InflaterPool& pool = InflaterPool::this_thread();
  auto pooled = pool.acquire();
  Inflated const in_pieces = inflate_in_pieces(*pooled, bytes, [&cuts](std::size_t) { return 1 + cuts() % 64; });
  pool.release(std::move(pooled));
  check(in_pieces.status == at_once.status, "where the frames were cut does not change the verdict");
  check(at_once.status != Status::ok || in_pieces.message == at_once.message,
        "where the frames were cut does not change the message");
}

void check_round_trip(std::string_view bytes, std::uint32_t settings) {
  int const level = 1 + static_cast<int>(settings % 9);
  int const window_bits = 9 + static_cast<int>(settings / 9 % 7);
  std::string compressed;
  thread_deflater(level, window_bits).compress(bytes, compressed);
  MessageInflater inflater;
  std::string message;
  check(inflater.feed(compressed, message, bytes.size()) == Status::ok, "a deflated message inflates");
  check(inflater.finish(message, bytes.size()) == Status::ok, "a deflated message ends where it should");
  check(message == bytes, "a deflated message inflates to itself");
}

}  // namespace
}  // namespace wshub::fuzzing

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  using namespace wshub::fuzzing;
  std::string_view const bytes(reinterpret_cast<char const*>(data), size);
  // Cuts and settings that change with every input, so that the fuzzer explores them along with the bytes.
  auto const hash = static_cast<std::uint32_t>(std::hash<std::string_view>{}(bytes));
  check_inflate(bytes, hash);
  check_round_trip(bytes, hash);
  return 0;
}
