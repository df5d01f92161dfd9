// The bytes waiting for one client's socket, in order: frames shared with other clients and bytes of its own.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/buffer.hpp>

#include "protocol/net.hpp"
#include "protocol/outgoing_frame.hpp"

namespace wshub {

class WriteQueue {
 public:
  void push(SharedFrame frame);
  // Copies bytes of this client's own (echoes, pongs, close frames); they join the last chunk when it is its own
  // and is not the one being written, so that everything behind the head is in the backlog.
  void append(std::string_view bytes);

  bool empty() const { return head_ == chunks_.size(); }
  // What the backpressure cap is compared with: everything waiting behind the chunk being written, counting the
  // bookkeeping of each chunk as well, so that many tiny frames cannot hold more memory than the cap says.
  std::size_t backlog_bytes() const;

  // Fills buffers for one gathered write, the first starting where the last write stopped; returns how many.
  std::size_t gather(std::span<asio::const_buffer> buffers) const;
  void consume(std::size_t written);
  // Drops what has not started to go out. A chunk half written stays, since its frame must be finished, and so do the
  // chunks that hold the next `committed` bytes (over TLS, what a write that would block already put in a record).
  void drop_unstarted(std::size_t committed);
  // Empties the queue and gives its storage back.
  void clear();

 private:
  struct Chunk {
    SharedFrame shared;
    std::string owned;
    std::string_view bytes() const { return shared ? shared.bytes() : std::string_view(owned); }
  };

  std::vector<Chunk> chunks_;  // chunks_[head_] is the next to write; those before it are written
  std::size_t head_ = 0;
  std::size_t head_offset_ = 0;  // how much of chunks_[head_] is already written
  std::size_t bytes_ = 0;        // bytes not yet written
};

}  // namespace wshub
