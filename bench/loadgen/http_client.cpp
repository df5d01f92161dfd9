// A keep-alive HTTP/1.1 client for the hub's JSON API, run by the event loop, one request at a time.
#include "http_client.hpp"

#include <sys/epoll.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace loadgen {
namespace {

constexpr std::uint32_t kReadable = EPOLLIN | EPOLLRDHUP;

std::string format_request(std::string_view method, std::string_view path, std::string_view authority,
                           std::string_view json_body) {
  std::string request;
  request.append(method).append(" ").append(path).append(" HTTP/1.1\r\nHost: ").append(authority).append("\r\n");
  if (!json_body.empty()) {
    request.append("Content-Type: application/json\r\nContent-Length: ").append(std::to_string(json_body.size()));
    request.append("\r\n");
  }
  request.append("\r\n").append(json_body);
  return request;
}

}  // namespace

HttpClient::HttpClient(EventLoop& loop, const Target& target) : loop_(loop), target_(target) {}

void HttpClient::send(std::string_view method, std::string_view path, std::string_view json_body) {
  out_ = format_request(method, path, target_.authority, json_body);
  response_.reset();
  failure_.clear();
  awaiting_response_ = true;
  if (socket_.valid()) {
    write_request();
  } else {
    connect();
  }
}

void HttpClient::connect() {
  std::error_code error;
  socket_ = ClientSocket(start_connect(target_, 0, error), target_);
  if (error) {
    fail("cannot connect for HTTP: " + error.message());
    return;
  }
  connecting_ = true;
  watching_writable_ = true;
  in_.clear();
  loop_.watch(socket_.get(), kReadable | EPOLLOUT, *this);
}

void HttpClient::on_ready(std::uint32_t events) {
  if (!socket_.valid()) return;
  if (connecting_) {
    finish_connecting();
    return;
  }
  if (securing_) {
    continue_handshake();
    return;
  }
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) read_available();
  if ((events & EPOLLOUT) && socket_.valid()) write_pending();
}

void HttpClient::finish_connecting() {
  connecting_ = false;
  if (const std::error_code error = connect_result(socket_.get())) {
    drop_connection();
    fail("cannot connect for HTTP: " + error.message());
    return;
  }
  securing_ = true;
  continue_handshake();
}

// Done at once on a plain socket; a TLS handshake takes its turns, each when the socket is ready for it.
void HttpClient::continue_handshake() {
  std::string failure;
  switch (socket_.handshake(failure)) {
    case ClientSocket::Handshake::done:
      securing_ = false;
      write_request();
      break;
    case ClientSocket::Handshake::wants_read:
      watch_writable(false);
      break;
    case ClientSocket::Handshake::wants_write:
      watch_writable(true);
      break;
    case ClientSocket::Handshake::failed:
      drop_connection();
      fail("cannot connect for HTTP: " + failure);
      break;
  }
}

void HttpClient::write_request() {
  sent_at_ = Clock::now();
  write_pending();
}

void HttpClient::write_pending() {
  const ssize_t written = socket_.send(out_.data(), out_.size());
  if (written < 0) {
    if (errno == EAGAIN || errno == EINTR) {
      watch_writable(true);
      return;
    }
    const int error = errno;
    drop_connection();
    fail(std::string("HTTP write failed: ") + std::strerror(error));
    return;
  }
  out_.erase(0, static_cast<std::size_t>(written));
  watch_writable(!out_.empty());
}

void HttpClient::read_available() {
  std::array<char, 64 * 1024> chunk;
  const ssize_t received = socket_.receive(chunk.data(), chunk.size());
  if (received < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (received <= 0) {
    const int error = received < 0 ? errno : 0;
    drop_connection();
    if (awaiting_response_) {
      fail(error ? std::string("HTTP read failed: ") + std::strerror(error)
                 : "server closed the HTTP connection before answering");
    }
    return;
  }
  in_.append(chunk.data(), static_cast<std::size_t>(received));
  if (!awaiting_response_) return;
  try {
    response_ = take_http_response(in_);
    awaiting_response_ = !response_.has_value();
  } catch (const std::runtime_error& error) {
    drop_connection();
    fail(error.what());
  }
}

void HttpClient::watch_writable(bool writable) {
  if (writable == watching_writable_) return;
  watching_writable_ = writable;
  loop_.change(socket_.get(), writable ? kReadable | EPOLLOUT : kReadable, *this);
}

void HttpClient::drop_connection() {
  socket_.reset();
  connecting_ = false;
  securing_ = false;
  in_.clear();
}

void HttpClient::fail(std::string failure) {
  awaiting_response_ = false;
  failure_ = std::move(failure);
}

}  // namespace loadgen
