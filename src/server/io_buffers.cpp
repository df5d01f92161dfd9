// The per-thread buffers of WebSocket connections.
#include "server/io_buffers.hpp"

#include <array>

namespace wshub {

std::span<char> thread_read_buffer() {
  thread_local std::array<char, 64 * 1024> buffer;
  return buffer;
}

std::string& thread_cork_buffer() {
  thread_local std::string cork;
  return cork;
}

std::string& thread_scratch_buffer() {
  thread_local std::string scratch;
  return scratch;
}

}  // namespace wshub
