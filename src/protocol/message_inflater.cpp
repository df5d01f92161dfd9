// A zlib raw-inflate stream that writes into the caller's string in bounded steps, and a per-thread pool of them.
#include "protocol/message_inflater.hpp"

#include <algorithm>
#include <array>
#include <climits>
#include <new>
#include <stdexcept>

namespace wshub {
namespace {

// What RFC 7692 has the sender remove from the end of every message, and the receiver put back.
constexpr std::string_view sync_flush_tail{"\x00\x00\xff\xff", 4};

// Output grows at most this much per step, so a string is never asked for much more than the limit allows.
constexpr std::size_t max_step_bytes = 64 * 1024;

// Where each step inflates before its bytes are appended to the message: resizing the message by a whole step
// first would zero-fill 64 KiB on every call, twice a message, more than inflating a chat message costs.
std::array<char, max_step_bytes>& thread_step_buffer() {
  thread_local std::array<char, max_step_bytes> step;
  return step;
}

// zlib counts input in uInt: larger pieces go in turns.
constexpr std::size_t max_input_bytes = UINT_MAX;

// 2^15 bytes, the largest window RFC 7692 allows, so one inflater serves any client_max_window_bits.
constexpr int max_window_bits = 15;

}  // namespace

MessageInflater::MessageInflater() {
  // Negative window bits: raw DEFLATE, without zlib's header and checksum.
  int const result = inflateInit2(&stream_, -max_window_bits);
  if (result == Z_MEM_ERROR) throw std::bad_alloc();
  if (result != Z_OK) throw std::runtime_error("inflateInit2 failed");
}

MessageInflater::~MessageInflater() {
  inflateEnd(&stream_);
}

void MessageInflater::reset() {
  inflateReset(&stream_);
  fed_any_ = false;
  after_final_block_ = false;
  at_block_boundary_ = true;
}

MessageInflater::Status MessageInflater::feed(std::string_view compressed, std::string& out, std::size_t max_bytes) {
  if (compressed.empty()) return Status::ok;
  fed_any_ = true;
  // zlib never writes through next_in; its interface predates const.
  stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  std::size_t input_left = compressed.size();
  while (input_left != 0) {
    auto const piece = static_cast<uInt>(std::min(input_left, max_input_bytes));
    stream_.avail_in = piece;
    Status const status = inflate_available(out, max_bytes);
    if (status != Status::ok) return status;
    input_left -= piece;
  }
  return Status::ok;
}

MessageInflater::Status MessageInflater::finish(std::string& out, std::size_t max_bytes) {
  if (!fed_any_) return Status::ok;
  Status const status = feed(sync_flush_tail, out, max_bytes);
  if (status != Status::ok) return status;
  return at_block_boundary_ ? Status::ok : Status::corrupt;
}

// Inflates all of avail_in, one bounded step of output at a time.
MessageInflater::Status MessageInflater::inflate_available(std::string& out, std::size_t max_bytes) {
  while (true) {
    if (out.size() > max_bytes) return Status::too_big;
    // One byte past the limit, so that a message of exactly max_bytes is told from a larger one (added after the
    // min, so that a limit of SIZE_MAX does not wrap to no room at all).
    std::size_t const room = std::min(max_bytes - out.size(), max_step_bytes - 1) + 1;
    auto& step = thread_step_buffer();
    stream_.next_out = reinterpret_cast<Bytef*>(step.data());
    stream_.avail_out = static_cast<uInt>(room);
    int const result = inflate(&stream_, Z_SYNC_FLUSH);
    std::size_t const produced = room - stream_.avail_out;
    out.append(step.data(), produced);
    if (result == Z_DATA_ERROR) return Status::corrupt;
    if (result == Z_MEM_ERROR) throw std::bad_alloc();
    if (after_final_block_ && produced != 0) return Status::corrupt;
    if (result == Z_STREAM_END) {
      // A BFINAL block (RFC 7692 section 7.2.3.3) ended the stream; what follows is read as a new stream that must
      // produce nothing.
      after_final_block_ = true;
      at_block_boundary_ = true;
      inflateReset(&stream_);
      if (stream_.avail_in == 0) return Status::ok;
      continue;
    }
    // zlib adds 128 to data_type when it stopped between blocks; Z_BUF_ERROR (no input) left everything as it was.
    if (result == Z_OK) at_block_boundary_ = (stream_.data_type & 128) != 0;
    // Room left over means zlib has used all the input it was given (or needs more to go on: Z_BUF_ERROR).
    if (stream_.avail_out != 0) return Status::ok;
  }
}

InflaterPool& InflaterPool::this_thread() {
  thread_local InflaterPool pool;
  return pool;
}

std::unique_ptr<MessageInflater> InflaterPool::acquire() {
  if (idle_.empty()) return std::make_unique<MessageInflater>();
  std::unique_ptr<MessageInflater> inflater = std::move(idle_.back());
  idle_.pop_back();
  return inflater;
}

void InflaterPool::release(std::unique_ptr<MessageInflater> inflater) {
  if (!inflater || idle_.size() >= max_idle) return;  // beyond a few idle ones, free it: its window is 32 KiB
  inflater->reset();
  idle_.push_back(std::move(inflater));
}

}  // namespace wshub
