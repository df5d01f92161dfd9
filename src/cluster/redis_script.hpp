// A Lua script run by its SHA-1 (EVALSHA), so that its text crosses the wire once per connection, not every call.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "cluster/redis_link.hpp"

namespace wshub {

class RedisScript {
 public:
  explicit RedisScript(std::string text);

  std::string const& text() const { return text_; }
  std::string const& sha1() const { return sha1_; }  // lower-case hex, as Redis names a script

 private:
  std::string text_;
  std::string sha1_;
};

// The command connection as the pieces that run scripts see it: a RedisLink that can also run a script.
//
// A script's first run on a connection sends its text (EVAL, which loads it into Redis's script cache); the later
// runs send its SHA-1 only (EVALSHA): pipelined behind that EVAL, they find it loaded. A new connection starts over,
// for Redis may have restarted or failed over with an empty cache. A NOSCRIPT (the cache emptied under a live
// connection, by SCRIPT FLUSH) runs that call again with its text; until every command sent before it is answered,
// new commands wait, so Redis still runs the calls in the order they were made. Replies are handed over in the order
// of the calls, a retried call's included.
class ScriptingLink final : public RedisLink {
 public:
  using LinkFactory = std::function<std::unique_ptr<RedisLink>(Events)>;

  // The link made by make_link carries the commands; events are forwarded from it.
  ScriptingLink(LinkFactory const& make_link, Events events);
  ScriptingLink(ScriptingLink const&) = delete;
  ScriptingLink& operator=(ScriptingLink const&) = delete;

  void start(std::string name) override { link_->start(std::move(name)); }
  bool up() const override { return link_->up(); }
  void reconnect(std::string const& why) override { link_->reconnect(why); }
  void command(std::vector<std::string> const& args, ReplyHandler handler,
               std::chrono::milliseconds blocks_for = std::chrono::milliseconds::zero()) override;
  // keys_and_args: what follows the script in EVAL, the number of keys first.
  void run(RedisScript const& script, std::vector<std::string> keys_and_args, ReplyHandler handler);

 private:
  // One call, from when it is made until its reply is handed over.
  struct Call {
    ReplyHandler handler;
    RedisScript const* script = nullptr;  // null: a plain command, args is all of it
    std::vector<std::string> args;        // kept until answered, to run the script again after a NOSCRIPT
    std::chrono::milliseconds blocks_for{0};
    bool sent = false;
    std::optional<RedisReply> reply;
  };

  void add(Call call);
  void send(std::uint64_t number);
  void on_reply(std::uint64_t number, RedisReply const& reply);
  void send_waiting();
  void hand_over();
  Call& call(std::uint64_t number) { return calls_[number - first_call_]; }

  Events events_;
  std::deque<Call> calls_;                        // unanswered or not yet handed over, in the order made
  std::uint64_t first_call_ = 0;                  // the number of calls_.front()
  std::size_t in_flight_ = 0;                     // sent and not answered
  bool holding_ = false;                          // a NOSCRIPT came back: new calls wait until nothing is in flight
  std::unordered_set<std::string> sent_as_text_;  // the SHA-1s this connection has loaded
  std::unique_ptr<RedisLink> link_;               // last: destroyed first, with the handlers that name this
};

}  // namespace wshub
