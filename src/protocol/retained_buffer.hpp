// The rule for reusable buffers: one grown for a single large message gives its storage back afterwards.
#pragma once

#include <cstddef>
#include <string>

namespace wshub {

// A per-thread or per-connection buffer grown past this for one large message is given back afterwards, so that it
// does not stay pinned for the thread's or the connection's life.
inline constexpr std::size_t retained_buffer_bytes = 256 * 1024;

// Gives back the storage of a buffer that one large message grew past retained_buffer_bytes.
void give_back_if_grown(std::string& buffer);

}  // namespace wshub
