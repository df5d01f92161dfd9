// A vector with a moving head: writes consume from the front in amortised constant time, and an empty queue
// holds no memory.
#include "server/write_queue.hpp"

#include <algorithm>

namespace wshub {
namespace {

// Written chunks are erased in one go once they are this many and at least half the vector.
constexpr std::size_t compact_after_chunks = 64;

}  // namespace

void WriteQueue::push(SharedFrame frame) {
  bytes_ += frame.bytes().size();
  chunks_.push_back({.shared = std::move(frame), .owned = {}});
}

void WriteQueue::append(std::string_view bytes) {
  bytes_ += bytes.size();
  // Never the head: the backlog leaves out the chunk being written, so bytes joining it would escape the cap.
  bool const tail_is_own = chunks_.size() - head_ >= 2 && !chunks_.back().shared;
  if (tail_is_own) {
    chunks_.back().owned.append(bytes);
    return;
  }
  chunks_.push_back({.shared = {}, .owned = std::string(bytes)});
}

std::size_t WriteQueue::backlog_bytes() const {
  if (empty()) return 0;
  std::size_t const head_left = chunks_[head_].bytes().size() - head_offset_;
  return bytes_ - head_left + (chunks_.size() - head_) * sizeof(Chunk);
}

std::size_t WriteQueue::gather(std::span<asio::const_buffer> buffers) const {
  std::size_t const count = std::min(buffers.size(), chunks_.size() - head_);
  for (std::size_t i = 0; i < count; ++i) buffers[i] = asio::buffer(chunks_[head_ + i].bytes());
  if (count > 0) buffers[0] += head_offset_;
  return count;
}

void WriteQueue::consume(std::size_t written) {
  bytes_ -= written;
  written += head_offset_;
  while (!empty() && written >= chunks_[head_].bytes().size()) written -= chunks_[head_++].bytes().size();
  head_offset_ = written;
  if (empty()) return clear();
  if (head_ >= compact_after_chunks && head_ * 2 >= chunks_.size()) {
    chunks_.erase(chunks_.begin(), chunks_.begin() + static_cast<std::ptrdiff_t>(head_));
    head_ = 0;
  }
}

void WriteQueue::drop_unstarted(std::size_t committed) {
  if (empty()) return;
  std::size_t keep = head_;
  std::size_t offset = head_offset_;
  std::size_t kept_bytes = 0;
  while (keep < chunks_.size() && (offset > 0 || kept_bytes < committed)) {
    kept_bytes += chunks_[keep].bytes().size() - offset;
    offset = 0;
    ++keep;
  }
  for (std::size_t i = keep; i < chunks_.size(); ++i) bytes_ -= chunks_[i].bytes().size();
  chunks_.resize(keep);
  if (empty()) clear();
}

void WriteQueue::clear() {
  std::vector<Chunk>().swap(chunks_);  // an idle connection keeps no storage
  head_ = 0;
  head_offset_ = 0;
  bytes_ = 0;
}

}  // namespace wshub
