// Asks the socket for its peer (a getpeername call), so only log lines that are written pay for it.
#include "server/remote_address.hpp"

#include <spdlog/fmt/fmt.h>

namespace wshub {

std::string remote_address(ConnectionSocket const& socket) {
  error_code error;
  auto const endpoint = socket.remote_endpoint(error);
  if (error) return "unknown";
  auto const address = endpoint.address();
  if (address.is_v6()) return fmt::format("[{}]:{}", address.to_string(), endpoint.port());
  return fmt::format("{}:{}", address.to_string(), endpoint.port());
}

}  // namespace wshub
