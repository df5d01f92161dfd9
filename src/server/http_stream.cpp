// The deadline of the HTTP phase's stream.
#include "server/http_stream.hpp"

namespace wshub {

HttpStream::HttpStream(ConnectionTransport transport)
    : transport_(std::move(transport)), deadline_(std::make_shared<Deadline>(transport_.socket().get_executor())) {
  deadline_->socket = &transport_.socket();
}

HttpStream::~HttpStream() {
  deadline_->socket = nullptr;
  deadline_->timer.cancel();
}

void HttpStream::expires_after(std::chrono::steady_clock::duration timeout) {
  deadline_->expired = false;
  deadline_->timer.expires_after(timeout);
  // The completion holds the shared state, not the stream: it may run after the connection has ended.
  deadline_->timer.async_wait([deadline = deadline_, tick = ++deadline_->tick](error_code error) {
    if (error || tick != deadline->tick || deadline->socket == nullptr) return;
    deadline->expired = true;
    error_code ignored;
    deadline->socket->cancel(ignored);
  });
}

void HttpStream::expires_never() {
  ++deadline_->tick;
  deadline_->expired = false;
  deadline_->timer.cancel();
}

void HttpStream::cancel() {
  error_code ignored;
  transport_.socket().cancel(ignored);
}

ConnectionTransport HttpStream::release_transport() {
  expires_never();
  deadline_->socket = nullptr;
  return std::move(transport_);
}

}  // namespace wshub
