// One client WebSocket on a non-blocking socket: connect, HTTP upgrade, then frames in and out.
#include "ws_connection.hpp"

#include <array>
#include <cerrno>
#include <cstring>

namespace loadgen {
namespace {

// A server only unmasks, so a fixed key costs it exactly what a random one would.
constexpr MaskKey kMaskKey = {0x37, 0xfa, 0x21, 0x3d};
// Any valid base64 of 16 bytes will do; the RFC's sample nonce is one.
constexpr std::string_view kWebSocketKey = "dGhlIHNhbXBsZSBub25jZQ==";
constexpr std::size_t kMaxUpgradeResponseBytes = 16 * 1024;
constexpr std::uint32_t kReadable = EPOLLIN | EPOLLRDHUP;
// Normal closure (1000), big-endian.
constexpr std::string_view kNormalClosure = "\x03\xe8";

// Every connection reads into this one buffer (the program has one thread); a connection keeps for itself only the
// bytes of a frame that a read cut off, so 20,000 idle connections cost little memory.
std::array<char, 256 * 1024> shared_read_buffer;

// Far above anything a scenario's server sends back, and a bound on what a decompression bomb may cost.
constexpr std::size_t kMaxInflatedBytes = 64 * 1024 * 1024;

std::string upgrade_request(std::string_view client_id, std::string_view authority, Compression compression) {
  std::string request;
  request.append("GET /ws/").append(client_id).append(" HTTP/1.1\r\nHost: ").append(authority);
  request.append("\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ").append(kWebSocketKey);
  request.append("\r\nSec-WebSocket-Version: 13\r\n");
  if (compression == Compression::offer_deflate) {
    request.append("Sec-WebSocket-Extensions: ").append(kDeflateOffer).append("\r\n");
  }
  request.append("\r\n");
  return request;
}

std::string describe_close_frame(std::string_view payload) {
  if (payload.size() < 2) return "server sent a close frame without a code";
  const int code = (static_cast<std::uint8_t>(payload[0]) << 8) | static_cast<std::uint8_t>(payload[1]);
  std::string description = "server closed with code " + std::to_string(code);
  if (payload.size() > 2) description.append(" (").append(payload.substr(2)).append(")");
  return description;
}

}  // namespace

WsConnection::WsConnection(EventLoop& loop, const Target& target, WsHandler& handler, std::size_t index,
                           Compression compression)
    : loop_(loop), target_(target), handler_(&handler), index_(index), compression_(compression) {}

std::error_code WsConnection::open(std::string_view client_id, std::size_t connection_number) {
  std::error_code error;
  socket_ = ClientSocket(start_connect(target_, connection_number, error), target_);
  if (error) return error;
  state_ = State::connecting;
  out_ = upgrade_request(client_id, target_.authority, compression_);
  carry_.clear();
  fragments_.clear();
  assembling_ = false;
  deflate_.reset();
  deflater_.reset();
  inflater_.reset();
  server_sent_close_ = false;
  failure_.clear();
  watching_writable_ = true;
  loop_.watch(socket_.get(), kReadable | EPOLLOUT, *this);
  return {};
}

void WsConnection::send_text(std::string_view text) {
  bytes_.text_sent += text.size();
  if (!deflate_) {
    bytes_.wire_sent += text.size();
    queue_frame(Opcode::text, text);
    return;
  }
  if (!deflater_) {
    deflater_ =
        std::make_unique<MessageDeflater>(deflate_->client_max_window_bits, !deflate_->client_no_context_takeover);
  }
  const std::string_view compressed = deflater_->compress(text);
  bytes_.wire_sent += compressed.size();
  queue_frame(Opcode::text, compressed, true);
}

void WsConnection::send_close() {
  queue_frame(Opcode::close, kNormalClosure);
  state_ = State::closing;
}

void WsConnection::abort() {
  socket_.reset();
  state_ = State::closed;
  close_report_due_ = false;
  out_.clear();
}

void WsConnection::on_ready(std::uint32_t events) {
  if (!socket_.valid()) return;  // aborted earlier in this iteration
  if (state_ == State::connecting) {
    finish_connecting();
  } else if (state_ == State::securing) {
    continue_handshake();
  } else {
    if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) read_available();
    if ((events & EPOLLOUT) && socket_.valid()) write_pending();
  }
  report_close_if_due();
}

void WsConnection::on_flush() {
  write_pending();
  report_close_if_due();
}

void WsConnection::finish_connecting() {
  if (const std::error_code error = connect_result(socket_.get())) {
    close_socket("connect failed: " + error.message());
    return;
  }
  state_ = State::securing;
  continue_handshake();
}

// Done at once on a plain socket; a TLS handshake takes its turns, each when the socket is ready for it.
void WsConnection::continue_handshake() {
  std::string failure;
  switch (socket_.handshake(failure)) {
    case ClientSocket::Handshake::done:
      state_ = State::upgrading;
      write_pending();
      break;
    case ClientSocket::Handshake::wants_read:
      watch_writable(false);
      break;
    case ClientSocket::Handshake::wants_write:
      watch_writable(true);
      break;
    case ClientSocket::Handshake::failed:
      close_socket(std::move(failure));
      break;
  }
}

void WsConnection::read_available() {
  const ssize_t received = socket_.receive(shared_read_buffer.data(), shared_read_buffer.size());
  if (received > 0) {
    take_bytes({shared_read_buffer.data(), static_cast<std::size_t>(received)}, Clock::now());
  } else if (received == 0) {
    handle_end_of_stream();
  } else if (errno != EAGAIN && errno != EINTR) {
    close_socket(std::string("read failed: ") + std::strerror(errno));
  }
}

// Parses straight from the shared buffer when nothing was cut off before, which is nearly always.
void WsConnection::take_bytes(std::string_view fresh, TimePoint received_at) {
  if (carry_.empty()) {
    const std::size_t used = consume(fresh, received_at);
    if (reading()) carry_.assign(fresh.substr(used));
    return;
  }
  carry_.append(fresh);
  const std::size_t used = consume(carry_, received_at);
  if (reading()) carry_.erase(0, used);
}

// Returns how many bytes were used; stops early if the connection closed on the way.
std::size_t WsConnection::consume(std::string_view bytes, TimePoint received_at) {
  std::size_t used = state_ == State::upgrading ? accept_upgrade_response(bytes) : 0;
  while (state_ == State::open || state_ == State::closing) {
    const ParsedFrame parsed = parse_server_frame(bytes.substr(used));
    if (parsed.status == FrameStatus::incomplete) break;
    if (parsed.status == FrameStatus::invalid) {
      close_socket("server sent an invalid frame");
      break;
    }
    used += parsed.size;
    handle_frame(parsed.frame, received_at);
  }
  return used;
}

// Returns the size of the response once it is all there, zero before; the frames that follow it are ours.
std::size_t WsConnection::accept_upgrade_response(std::string_view bytes) {
  const std::size_t end = bytes.find("\r\n\r\n");
  if (end == std::string_view::npos) {
    if (bytes.size() > kMaxUpgradeResponseBytes) close_socket("upgrade response headers are too large");
    return 0;
  }
  if (!bytes.starts_with("HTTP/1.1 101")) {
    close_socket("upgrade refused: " + std::string(bytes.substr(0, bytes.find("\r\n"))));
    return 0;
  }
  ExtensionAnswer answer =
      read_extension_answer(extensions_header(bytes.substr(0, end)), compression_ == Compression::offer_deflate);
  if (!answer.error.empty()) {
    close_socket(std::move(answer.error));
    return 0;
  }
  deflate_ = answer.agreement;
  state_ = State::open;
  handler_->on_open(*this);
  return end + 4;
}

// RSV1 may mark only the first frame of a data message, and only once permessage-deflate was agreed.
std::string_view WsConnection::misplaced_rsv1(const ServerFrame& frame) const {
  if (!frame.compressed) return {};
  if (!deflate_) return "server set RSV1 without permessage-deflate";
  if (frame.opcode == Opcode::continuation) return "server set RSV1 on a continuation frame";
  if (frame.opcode != Opcode::text && frame.opcode != Opcode::binary) return "server set RSV1 on a control frame";
  return {};
}

void WsConnection::handle_frame(const ServerFrame& frame, TimePoint received_at) {
  if (const std::string_view misplaced = misplaced_rsv1(frame); !misplaced.empty()) {
    close_socket(std::string(misplaced));
    return;
  }
  switch (frame.opcode) {
    case Opcode::continuation:
    case Opcode::text:
    case Opcode::binary:
      handle_message_frame(frame, received_at);
      break;
    case Opcode::ping:
      queue_frame(Opcode::pong, frame.payload);
      break;
    case Opcode::pong:
      break;
    case Opcode::close:
      handle_close_frame(frame.payload);
      break;
  }
}

void WsConnection::handle_message_frame(const ServerFrame& frame, TimePoint received_at) {
  const bool starts_message = frame.opcode != Opcode::continuation;
  if (starts_message == assembling_) {
    close_socket("server broke the rules of fragmentation");
    return;
  }
  if (frame.final && !assembling_) {
    deliver_message(frame.payload, frame.compressed, received_at);
    return;
  }
  if (starts_message) assembling_compressed_ = frame.compressed;
  fragments_.append(frame.payload);
  assembling_ = !frame.final;
  if (frame.final) {
    const std::string message = std::move(fragments_);
    fragments_.clear();
    deliver_message(message, assembling_compressed_, received_at);
  }
}

// Hands a whole message's text to the handler, inflating it first if it came compressed.
void WsConnection::deliver_message(std::string_view payload, bool compressed, TimePoint received_at) {
  bytes_.wire_received += payload.size();
  if (!compressed) {
    bytes_.text_received += payload.size();
    handler_->on_text(*this, payload, received_at);
    return;
  }
  if (!inflater_) inflater_ = std::make_unique<MessageInflater>(!deflate_->server_no_context_takeover);
  if (!inflater_->inflate(payload, inflated_, kMaxInflatedBytes)) {
    close_socket("server sent a compressed message that does not inflate");
    return;
  }
  bytes_.text_received += inflated_.size();
  handler_->on_text(*this, inflated_, received_at);
}

void WsConnection::handle_close_frame(std::string_view payload) {
  if (state_ == State::closing) {
    server_sent_close_ = true;
    return;
  }
  close_socket(describe_close_frame(payload));
}

void WsConnection::handle_end_of_stream() {
  if (state_ == State::closing) {
    close_socket(server_sent_close_ ? "" : "server ended the connection without answering our close frame");
  } else {
    close_socket(state_ == State::upgrading ? "server ended the connection during the upgrade"
                                            : "server ended the connection");
  }
}

// Asks for a flush only when the buffer was empty: otherwise one is already due, or EPOLLOUT will come.
void WsConnection::queue_frame(Opcode opcode, std::string_view payload, bool compressed) {
  if (out_.empty()) loop_.request_flush(*this);
  append_client_frame(out_, opcode, payload, kMaskKey, compressed);
}

void WsConnection::write_pending() {
  if (!socket_.valid() || out_.empty()) return;
  const ssize_t written = socket_.send(out_.data(), out_.size());
  if (written < 0) {
    if (errno == EAGAIN || errno == EINTR) {
      watch_writable(true);
    } else {
      close_socket(std::string("write failed: ") + std::strerror(errno));
    }
    return;
  }
  out_.erase(0, static_cast<std::size_t>(written));
  watch_writable(!out_.empty());
}

void WsConnection::watch_writable(bool writable) {
  if (writable == watching_writable_) return;
  watching_writable_ = writable;
  loop_.change(socket_.get(), writable ? kReadable | EPOLLOUT : kReadable, *this);
}

void WsConnection::close_socket(std::string failure) {
  socket_.reset();
  state_ = State::closed;
  out_.clear();
  failure_ = std::move(failure);
  close_report_due_ = true;
}

void WsConnection::report_close_if_due() {
  if (!close_report_due_) return;
  close_report_due_ = false;
  const std::string failure = std::move(failure_);
  handler_->on_closed(*this, failure);
}

}  // namespace loadgen
