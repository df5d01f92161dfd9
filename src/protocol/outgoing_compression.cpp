// Chooses, per message, between the plain and the compressed frame, and makes the compressed one.
#include "protocol/outgoing_compression.hpp"

#include "protocol/message_deflater.hpp"

namespace wshub {
namespace {

constexpr int full_window_bits = 15;
// A buffer grown for one large message is given back, so that it does not stay pinned for the thread's life.
constexpr std::size_t retained_buffer_bytes = 64 * 1024;

void give_back_if_grown(std::string& buffer) {
  if (buffer.capacity() > retained_buffer_bytes) std::string().swap(buffer);
}

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

OutgoingCompression::OutgoingCompression(DeflateOptions const& options, DeflateParameters const& parameters)
    : negotiated_(true),
      level_(options.level),
      window_bits_(parameters.server_max_window_bits),
      min_message_bytes_(options.min_message_bytes) {}

std::size_t OutgoingCompression::append_text_frame(std::string& out, std::string_view first,
                                                   std::string_view second) const {
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

SharedFrame OutgoingCompression::frame_for(SharedFrame const& frame) const {
  if (!worth_compressing(frame.payload().size())) return frame;
  if (window_bits_ == full_window_bits) return frame.deflated(level_);
  auto own = SharedFrame::compressed_text(compress(frame.payload()));
  give_back_if_grown(thread_compressed_text());
  return own;
}

std::string_view OutgoingCompression::compress(std::string_view text) const {
  auto& compressed = thread_compressed_text();
  compressed.clear();
  thread_deflater(level_, window_bits_).compress(text, compressed);
  return compressed;
}

}  // namespace wshub
