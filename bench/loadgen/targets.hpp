// The servers under load: one, or the nodes of a cluster, with clients spread over them in turn and the HTTP API
// requests (broadcasts, the client list) going to the first.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "target.hpp"

namespace loadgen {

class Targets {
 public:
  // Throws std::invalid_argument unless `host` is an IPv4 address and there is at least one port, and
  // std::runtime_error if the TLS settings cannot be loaded.
  Targets(const std::string& host, const std::vector<std::uint16_t>& ports,
          const std::optional<TlsClientOptions>& tls = std::nullopt);

  // Client number `index` connects to server `index` mod N, so that each has the same share, give or take one.
  const Target& for_client(std::size_t index) const { return targets_[index % targets_.size()]; }
  // Where the HTTP API requests go: the first server.
  const Target& api() const { return targets_.front(); }
  std::size_t size() const { return targets_.size(); }

 private:
  // Shared by every target, so that a session made with one node may be resumed with it again.
  std::unique_ptr<TlsClientContext> tls_;
  // Never resized after construction: connections keep references to its elements.
  std::vector<Target> targets_;
};

}  // namespace loadgen
