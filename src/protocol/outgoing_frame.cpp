// Encodes server frame headers: FIN set, no mask, the shortest length form.
#include "protocol/outgoing_frame.hpp"

namespace wshub {
namespace {

constexpr std::uint8_t fin_bit = 0x80;

void append_header(std::string& out, Opcode opcode, std::size_t payload_bytes) {
  out.push_back(static_cast<char>(fin_bit | static_cast<std::uint8_t>(opcode)));
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

void append_close_frame(std::string& out, std::optional<std::uint16_t> code, std::string_view reason) {
  if (!code) return append_frame(out, Opcode::close, {});
  char const code_bytes[] = {static_cast<char>(*code >> 8), static_cast<char>(*code & 0xff)};
  append_frame(out, Opcode::close, {code_bytes, 2}, reason.substr(0, max_close_reason_bytes));
}

SharedFrame SharedFrame::text(std::string_view payload) {
  std::string bytes;
  bytes.reserve(payload.size() + 10);
  append_frame(bytes, Opcode::text, payload);
  SharedFrame frame;
  frame.header_bytes_ = bytes.size() - payload.size();
  frame.bytes_ = std::make_shared<std::string const>(std::move(bytes));
  return frame;
}

}  // namespace wshub
