// The server under load, and the non-blocking TCP connect that reaches it from many loopback source addresses.
#include "target.hpp"

#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cerrno>
#include <stdexcept>

namespace loadgen {
namespace {

// 127.0.0.2 to 127.0.0.251: 250 addresses, each with its own ~28,000 ephemeral ports.
constexpr std::uint32_t kFirstSourceAddress = 0x7F000002;
constexpr std::size_t kSourceAddressCount = 250;

sockaddr_in source_address(std::size_t connection_number) {
  sockaddr_in source{};
  source.sin_family = AF_INET;
  source.sin_addr.s_addr =
      htonl(kFirstSourceAddress + static_cast<std::uint32_t>(connection_number % kSourceAddressCount));
  return source;
}

// Binds the address only: the kernel picks the port at connect(), from the whole 4-tuple space.
bool bind_source_address(int fd, std::size_t connection_number) {
  const int on = 1;
  const sockaddr_in source = source_address(connection_number);
  return setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &on, sizeof on) == 0 &&
         bind(fd, reinterpret_cast<const sockaddr*>(&source), sizeof source) == 0;
}

std::error_code last_error() {
  return {errno, std::system_category()};
}

}  // namespace

Target Target::parse(const std::string& host, std::uint16_t port) {
  Target target;
  target.address.sin_family = AF_INET;
  target.address.sin_port = htons(port);
  if (inet_pton(AF_INET, host.c_str(), &target.address.sin_addr) != 1) {
    throw std::invalid_argument("--host must be an IPv4 address, not \"" + host + "\"");
  }
  target.host = host;
  target.authority = host + ":" + std::to_string(port);
  target.spread_source_addresses = (ntohl(target.address.sin_addr.s_addr) >> 24) == 127;
  return target;
}

UniqueFd start_connect(const Target& target, std::size_t connection_number, std::error_code& error) {
  UniqueFd socket(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  const int on = 1;
  if (!socket.valid() || setsockopt(socket.get(), IPPROTO_TCP, TCP_NODELAY, &on, sizeof on) != 0 ||
      (target.spread_source_addresses && !bind_source_address(socket.get(), connection_number))) {
    error = last_error();
    return {};
  }
  if (connect(socket.get(), reinterpret_cast<const sockaddr*>(&target.address), sizeof target.address) != 0 &&
      errno != EINPROGRESS) {
    error = last_error();
    return {};
  }
  error.clear();
  return socket;
}

std::error_code connect_result(int fd) {
  int error = 0;
  socklen_t size = sizeof error;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size) != 0) return last_error();
  return {error, std::system_category()};
}

}  // namespace loadgen
