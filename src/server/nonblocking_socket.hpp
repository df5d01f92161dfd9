// The two socket calls the TLS layer makes itself on its non-blocking descriptor: a send, and what a failure means.
#pragma once

#include <cerrno>
#include <cstddef>

#include <sys/socket.h>
#include <sys/types.h>

namespace wshub {

// Sends what the socket takes, again after a signal; the bytes sent, or -1 with errno set (EAGAIN when it has no
// room). With MSG_NOSIGNAL a peer that has gone is EPIPE, not a SIGPIPE that would end the process.
inline ssize_t send_some(int fd, char const* bytes, std::size_t size) {
  ssize_t sent = 0;
  do {
    sent = ::send(fd, bytes, size, MSG_NOSIGNAL);
  } while (sent < 0 && errno == EINTR);
  return sent;
}

// Whether a call failed only because the socket has no room, or nothing to read, yet.
inline bool would_block(int error) {
  return error == EAGAIN || error == EWOULDBLOCK;
}

}  // namespace wshub
