// What the cluster's pieces need from a connection to Redis: commands with a reply handler, and up/down events.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "async/completion.hpp"
#include "cluster/redis_reply.hpp"

namespace wshub {

// Why Redis will not have this node as its settings say: a matter of settings, not of an outage.
struct RedisRefusal {
  enum class Cause {
    credentials,  // AUTH failed, or a WRONGPASS, NOPERM or NOAUTH before the connection was up
    tls,          // the TLS handshake failed (a certificate or host name not verified, no TLS on that port...)
    sentinel,     // a sentinel refused REDIS_SENTINEL_PASSWORD
  };
  Cause cause;
  std::string reason;  // Redis's error, or OpenSSL's
};

// Implemented by RedisConnection, and by a fake in the unit tests that lets a test answer each command.
class RedisLink {
 public:
  // Move-only, so that a handler can own what it finishes (the hub's completion); run once, on the link's executor.
  using ReplyHandler = Completion<void(RedisReply const&)>;
  // Called again at every change: notifications, not completions.
  struct Events {
    std::function<void()> on_up;                      // connected, and Redis has answered (the database selected)
    std::function<void(std::string const&)> on_down;  // lost, with why; pending commands have failed first
    // Redis refused the credentials, or TLS failed, before the connection was up; on_down follows, and the
    // connection retries as after any loss.
    std::function<void(RedisRefusal const&)> on_refused = {};
    // A message of a channel the connection subscribed to (SUBSCRIBE): a reply that answers no command.
    std::function<void(RedisReply const&)> on_push = {};
  };

  virtual ~RedisLink() = default;

  // Connects, and keeps reconnecting after every loss. The name (CLIENT SETNAME, no spaces) tells in Redis's
  // CLIENT LIST which node's which connection this is.
  virtual void start(std::string name) = 0;
  virtual bool up() const = 0;
  // Drops the connection (if there is one) and connects again at once: Redis's primary has moved. Lost like any
  // other loss: pending commands fail, on_down follows.
  virtual void reconnect(std::string const& why) = 0;
  // Answered exactly once, in the order sent, never inline: a command sent while down, or lost with the connection,
  // is answered with an error reply; one still pending when the link is destroyed is dropped unanswered. A command that
  // Redis holds on purpose (XREAD BLOCK) says for how long.
  virtual void command(std::vector<std::string> const& args, ReplyHandler handler,
                       std::chrono::milliseconds blocks_for = std::chrono::milliseconds::zero()) = 0;
};

}  // namespace wshub
