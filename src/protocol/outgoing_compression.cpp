// Chooses, per message, between the plain and the compressed frame, and makes the compressed one.
#include "protocol/outgoing_compression.hpp"

#include <algorithm>

#include "protocol/message_deflater.hpp"
#include "protocol/retained_buffer.hpp"

namespace wshub {
namespace {

constexpr int full_window_bits = 15;

// Per thread, so that compressing an echo allocates nothing once the buffers have grown to the messages' size.
std::string& thread_joined_text() {
  thread_local std::string text;
  return text;
}

std::string& thread_compressed_text() {
  thread_local std::string compressed;
  return compressed;
}

}  // namespace

OutgoingCompression::OutgoingCompression(DeflateOptions const& options, DeflateParameters const& parameters,
                                         DeflaterBudget* contexts)
    : negotiated_(true),
      level_(options.level),
      window_bits_(parameters.server_max_window_bits),
      min_message_bytes_(options.min_message_bytes),
      contexts_(parameters.server_no_context_takeover ? nullptr : contexts) {}

std::size_t OutgoingCompression::append_text_frame(std::string& out, std::string_view first, std::string_view second) {
  // Sent as it is, the message does not enter the client's window (RFC 7692 section 6): nothing to track.
  if (!worth_compressing(first.size() + second.size())) {
    append_frame(out, Opcode::text, first, second);
    return first.size() + second.size();
  }
  auto& text = thread_joined_text();
  text.assign(first).append(second);
  auto const compressed = compress(text);
  append_compressed_text_frame(out, compressed);
  give_back_if_grown(text);
  give_back_if_grown(thread_compressed_text());
  return compressed.size();
}

SharedFrame OutgoingCompression::frame_for(SharedFrame const& frame) {
  if (!worth_compressing(frame.payload().size())) return frame;
  if (window_bits_ == full_window_bits) {
    // Compressed once for everyone, on its own: the client's window now holds text our deflater never saw.
    client_window_moved_ = true;
    return frame.deflated(level_);
  }
  auto own = SharedFrame::compressed_text(compress(frame.payload()));
  give_back_if_grown(thread_compressed_text());
  return own;
}

void OutgoingCompression::drop_context_if_idle() {
  if (!compressed_since_tick_) context_.reset();
  compressed_since_tick_ = false;
}

MessageDeflater* OutgoingCompression::context() {
  if (!context_ && contexts_) {
    context_ = contexts_->lend(level_, std::min(window_bits_, context_window_bits), context_mem_level);
    if (context_) context_->limit_match_search(context_max_chain);
    // A new deflater has no history: nothing it makes refers back past its first message.
    client_window_moved_ = false;
  }
  return context_.get();
}

std::string_view OutgoingCompression::compress(std::string_view text) {
  auto& compressed = thread_compressed_text();
  compressed.clear();
  if (auto* const deflater = context()) {
    if (client_window_moved_) deflater->forget_history();
    client_window_moved_ = false;
    compressed_since_tick_ = true;
    deflater->compress_continuing(text, compressed);
  } else {
    client_window_moved_ = true;
    thread_deflater(level_, window_bits_).compress(text, compressed);
  }
  return compressed;
}

}  // namespace wshub
