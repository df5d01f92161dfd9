// The buffers a WebSocket connection reads, encodes and corks into: one of each per thread, shared by every
// connection on it, so that an idle connection holds none.
#pragma once

#include <cstddef>
#include <span>
#include <string>

namespace wshub {

// A per-thread or per-connection buffer grown past this for one large message is given back afterwards.
inline constexpr std::size_t retained_buffer_bytes = 256 * 1024;

std::span<char> thread_read_buffer();
// The replies produced while handling one read are gathered here and written with one syscall ("corking"):
// a read of 50 messages costs one write, not 50.
std::string& thread_cork_buffer();
// Where a frame is encoded before it joins a client's queue, so that encoding allocates nothing.
std::string& thread_scratch_buffer();

// Gives back the storage of a buffer that one large message grew past retained_buffer_bytes.
void give_back_if_grown(std::string& buffer);

}  // namespace wshub
