// The server under load, and the non-blocking TCP connect that reaches it from many loopback source addresses.
#pragma once

#include <netinet/in.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <system_error>

#include "tls_client_context.hpp"
#include "unique_fd.hpp"

namespace loadgen {

struct Target {
  sockaddr_in address{};
  // The IPv4 address as text: the name a TLS certificate must hold.
  std::string host;
  // "HOST:PORT", as the Host header wants it.
  std::string authority;
  // Spread connections over 127.0.0.2 and up, so that tens of thousands of them never run out of ephemeral ports.
  bool spread_source_addresses = false;
  // The run's TLS context when the server speaks TLS; null when it is plain.
  TlsClientContext* tls = nullptr;

  // Throws std::invalid_argument unless `host` is an IPv4 address.
  static Target parse(const std::string& host, std::uint16_t port);
};

// Starts connecting a non-blocking, TCP_NODELAY socket to `target`; `connection_number` picks the source address.
// On failure the result is empty and `error` says why.
UniqueFd start_connect(const Target& target, std::size_t connection_number, std::error_code& error);

// The outcome of a connect that start_connect began, once the socket turned writable.
std::error_code connect_result(int fd);

}  // namespace loadgen
