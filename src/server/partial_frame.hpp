// The start of a WebSocket frame that the end of a read cut off, kept until the rest of it arrives.
#pragma once

#include <span>
#include <string>

namespace wshub {

class PartialFrame {
 public:
  // early_bytes: what the client sent after its upgrade request, already read from the socket.
  explicit PartialFrame(std::string early_bytes) : bytes_(std::move(early_bytes)) {}

  bool empty() const { return bytes_.empty(); }
  // What to parse: `read` itself when nothing was kept (not copied), else what was kept with `read` behind it.
  std::span<char> join(std::span<char> read);
  // Keeps `rest`, the end of what join() returned that the parser left: a frame still to be completed.
  void keep(std::span<char> rest);
  // Forgets what was kept and gives its storage back.
  void drop();
  // The storage held, which a frame much larger than usual must not keep for the rest of the connection.
  std::size_t capacity() const { return bytes_.capacity(); }

 private:
  std::string bytes_;
};

}  // namespace wshub
