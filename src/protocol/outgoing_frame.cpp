// Encodes server frame headers: FIN set, no mask, the shortest length form.
#include "protocol/outgoing_frame.hpp"

#include "protocol/message_deflater.hpp"

namespace wshub {
namespace {

constexpr std::uint8_t fin_bit = 0x80;
constexpr std::uint8_t rsv1_bit = 0x40;  // permessage-deflate: the payload is compressed
constexpr int shared_window_bits = 15;   // a broadcast is compressed once for every client with the full window

void append_header(std::string& out, Opcode opcode, std::size_t payload_bytes, std::uint8_t flags = 0) {
  out.push_back(static_cast<char>(fin_bit | flags | static_cast<std::uint8_t>(opcode)));
  if (payload_bytes < 126) {
    out.push_back(static_cast<char>(payload_bytes));
    return;
  }
  std::size_t const length_bytes = payload_bytes <= 0xffff ? 2 : 8;
  out.push_back(static_cast<char>(length_bytes == 2 ? 126 : 127));
  for (std::size_t i = length_bytes; i-- > 0;) out.push_back(static_cast<char>((payload_bytes >> (8 * i)) & 0xff));
}

}  // namespace

void append_frame(std::string& out, Opcode opcode, std::string_view first, std::string_view second) {
  append_header(out, opcode, first.size() + second.size());
  out.append(first).append(second);
}

void append_compressed_text_frame(std::string& out, std::string_view compressed_payload) {
  append_header(out, Opcode::text, compressed_payload.size(), rsv1_bit);
  out.append(compressed_payload);
}

void append_close_frame(std::string& out, std::optional<std::uint16_t> code, std::string_view reason) {
  if (!code) return append_frame(out, Opcode::close, {});
  char const code_bytes[] = {static_cast<char>(*code >> 8), static_cast<char>(*code & 0xff)};
  append_frame(out, Opcode::close, {code_bytes, 2}, reason.substr(0, max_close_reason_bytes));
}

SharedFrame SharedFrame::encoded(std::string bytes, std::size_t payload_bytes) {
  SharedFrame frame;
  frame.encodings_ = std::make_shared<Encodings>();
  frame.encodings_->plain = std::move(bytes);
  frame.header_bytes_ = frame.encodings_->plain.size() - payload_bytes;
  frame.encodings_->plain_header_bytes = frame.header_bytes_;
  // Aliasing: the view shares ownership of the encodings it points into.
  frame.bytes_ = std::shared_ptr<std::string const>(frame.encodings_, &frame.encodings_->plain);
  return frame;
}

SharedFrame SharedFrame::text(std::string_view payload) {
  std::string bytes;
  bytes.reserve(payload.size() + 10);
  append_frame(bytes, Opcode::text, payload);
  return encoded(std::move(bytes), payload.size());
}

SharedFrame SharedFrame::compressed_text(std::string_view compressed_payload) {
  std::string bytes;
  bytes.reserve(compressed_payload.size() + 10);
  append_compressed_text_frame(bytes, compressed_payload);
  return encoded(std::move(bytes), compressed_payload.size());
}

SharedFrame SharedFrame::deflated(int level) const {
  auto& encodings = *encodings_;
  std::call_once(encodings.deflate_once, [&] {
    std::string compressed;
    auto const text = std::string_view(encodings.plain).substr(encodings.plain_header_bytes);
    thread_deflater(level, shared_window_bits).compress(text, compressed);
    encodings.deflated.reserve(compressed.size() + 10);
    append_compressed_text_frame(encodings.deflated, compressed);
    encodings.deflated_header_bytes = encodings.deflated.size() - compressed.size();
  });
  SharedFrame frame;
  frame.encodings_ = encodings_;
  frame.bytes_ = std::shared_ptr<std::string const>(encodings_, &encodings.deflated);
  frame.header_bytes_ = encodings.deflated_header_bytes;
  return frame;
}

}  // namespace wshub
