// The buffers a WebSocket connection reads, encodes and corks into: one of each per thread, shared by every
// connection on it, so that an idle connection holds none.
#pragma once

#include <cstddef>
#include <span>
#include <string>

#include "protocol/retained_buffer.hpp"

namespace wshub {

std::span<char> thread_read_buffer();
// The replies produced while handling one read are gathered here and written with one syscall ("corking"):
// a read of 50 messages costs one write, not 50.
std::string& thread_cork_buffer();
// Where a frame is encoded before it joins a client's queue, so that encoding allocates nothing.
std::string& thread_scratch_buffer();

}  // namespace wshub
