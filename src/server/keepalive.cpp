// The keepalive's decision: ping a silent client, drop one that stays silent, tell a slow consumer apart.
#include "server/keepalive.hpp"

namespace wshub {

KeepaliveStep keepalive_step(WebSocketOptions const& options, std::chrono::steady_clock::duration silent,
                             bool over_backpressure_cap) {
  using Action = KeepaliveStep::Action;
  // A client over the cap is not read from, so it falls silent: it is closed as what it is, a slow consumer, at its
  // first keepalive tick (the ping, or the idle timeout if a ping was already out), as a broadcast would close it.
  if (silent >= options.ping_interval && over_backpressure_cap) return {Action::slow_consumer};
  if (silent >= options.idle_timeout) return {Action::idle_timeout};
  if (silent >= options.ping_interval) return {Action::ping, options.idle_timeout - silent};
  return {Action::wait, options.ping_interval - silent};
}

}  // namespace wshub
