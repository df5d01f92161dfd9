// Keeps a cut-off frame, without copying a read that ends on a frame boundary.
#include "server/partial_frame.hpp"

#include "server/io_buffers.hpp"

namespace wshub {

std::span<char> PartialFrame::join(std::span<char> read) {
  if (bytes_.empty()) return read;
  bytes_.append(read.data(), read.size());
  return bytes_;
}

void PartialFrame::keep(std::span<char> rest) {
  if (rest.empty()) return drop();
  if (bytes_.empty()) {
    bytes_.assign(rest.data(), rest.size());
    return;
  }
  bytes_.erase(0, bytes_.size() - rest.size());
  // A buffer grown for one large frame is given back once that frame is through.
  if (bytes_.capacity() > retained_buffer_bytes && bytes_.size() * 4 < bytes_.capacity()) bytes_.shrink_to_fit();
}

void PartialFrame::drop() {
  std::string().swap(bytes_);
}

}  // namespace wshub
