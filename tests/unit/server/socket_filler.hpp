// Fills a socket with bytes outside TLS until it has no room, and takes them out again on the other end, so that a
// test can make the next TLS record meet a full socket.
#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <string>

namespace wshub::testing {

// Sends filler on `fd` until the socket has no room; how many bytes it took.
inline std::size_t fill_socket(int fd) {
  std::string const filler(4096, 'f');
  std::size_t sent = 0;
  ssize_t took = 0;
  while ((took = ::send(fd, filler.data(), filler.size(), MSG_NOSIGNAL)) > 0) sent += static_cast<std::size_t>(took);
  return sent;
}

// Reads exactly `bytes` from `fd`, the filler sent before anything still to come; false if fewer were there.
inline bool drain_filler(int fd, std::size_t bytes) {
  char buffer[4096];
  while (bytes > 0) {
    ssize_t const got = ::recv(fd, buffer, bytes < sizeof buffer ? bytes : sizeof buffer, 0);
    if (got <= 0) return false;
    bytes -= static_cast<std::size_t>(got);
  }
  return true;
}

}  // namespace wshub::testing
