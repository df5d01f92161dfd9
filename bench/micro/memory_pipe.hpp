// One end of an in-memory connection for the TLS record benchmark's handshakes, whichever library's callbacks use it.
#pragma once

#include <algorithm>
#include <cstddef>
#include <deque>
#include <iterator>

namespace wshub::bench {

// What this end has to read, and the other end its writes go to; with no other end (after the handshake, the server's
// sink) writes go nowhere.
struct MemoryPipe {
  std::deque<char> incoming;
  MemoryPipe* peer = nullptr;

  // Makes `one` and `other` the two ends of one connection.
  static void join(MemoryPipe& one, MemoryPipe& other) {
    one.peer = &other;
    other.peer = &one;
  }

  // Moves up to `size` of the bytes waiting into `into`; how many it moved.
  std::size_t take(char* into, std::size_t size) {
    std::size_t const taken = std::min(size, incoming.size());
    auto const end = incoming.begin() + static_cast<std::ptrdiff_t>(taken);
    std::copy(incoming.begin(), end, into);
    incoming.erase(incoming.begin(), end);
    return taken;
  }

  void send(char const* bytes, std::size_t size) {
    if (peer != nullptr) peer->incoming.insert(peer->incoming.end(), bytes, bytes + size);
  }
};

}  // namespace wshub::bench
