// The servers under load: one, or the nodes of a cluster, with clients spread over them in turn and the HTTP API
// requests (broadcasts, the client list) going to the first.
#include "targets.hpp"

#include <stdexcept>

namespace loadgen {

Targets::Targets(const std::string& host, const std::vector<std::uint16_t>& ports,
                 const std::optional<TlsClientOptions>& tls) {
  if (ports.empty()) throw std::invalid_argument("--port: at least one port is needed");
  if (tls) tls_ = std::make_unique<TlsClientContext>(*tls);
  targets_.reserve(ports.size());
  for (const std::uint16_t port : ports) {
    targets_.push_back(Target::parse(host, port));
    targets_.back().tls = tls_.get();
  }
}

}  // namespace loadgen
