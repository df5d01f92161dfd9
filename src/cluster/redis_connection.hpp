// One connection to Redis on Asio, plain or TLS: pipelined commands answered in order, and reconnection with backoff.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "async/ticked_timer.hpp"
#include "cluster/redis_endpoint.hpp"
#include "cluster/redis_link.hpp"
#include "cluster/redis_reply.hpp"
#include "cluster/redis_stream.hpp"
#include "cluster/redis_tls.hpp"
#include "protocol/net.hpp"

struct redisReader;

namespace wshub {

struct RedisConnectionOptions {
  std::chrono::milliseconds first_retry_after{50};
  std::chrono::milliseconds longest_retry_after{2000};  // the backoff doubles up to this
  // A reply later than this fails the connection: a Redis that keeps the socket open but stops answering is down.
  // A TLS handshake has as long.
  std::chrono::milliseconds reply_timeout{1000};
  std::shared_ptr<RedisTlsContext> tls = {};  // required for a rediss:// endpoint; shared by a node's connections
  // Where to connect, asked again before every attempt; nullopt: nowhere known yet (the attempt fails and is
  // retried). Unset: the endpoint's host and port.
  std::function<std::optional<RedisAddress>()> locate = {};
  // Up only once ROLE says the server is a primary: one that answers as a replica is a lost connection.
  bool require_primary = false;
};

// Every call, and every callback, happens on the executor given: the connection needs no lock. Its handlers
// capture `this`: its owner destroys it only once the executor runs no more handlers (RedisBackplane says how), and
// a handler still queued then is destroyed uncalled. Each reply handler is owned by one entry of `waiting_` (or,
// sent while down, by the post that fails it) until it runs, once; destroyed with the connection, it is dropped.
class RedisConnection final : public RedisLink {
 public:
  RedisConnection(asio::any_io_executor executor, RedisEndpoint endpoint, RedisConnectionOptions options,
                  Events events);
  RedisConnection(RedisConnection const&) = delete;
  RedisConnection& operator=(RedisConnection const&) = delete;

  // Keeps reconnecting until stop().
  void start(std::string name) override;
  void stop();
  bool up() const override { return up_; }
  void reconnect(std::string const& why) override;
  // Where the current (or last) connection went.
  RedisAddress const& address() const { return address_; }

  // Pipelined: written at once behind the commands before it. A blocking command's block time is added to its
  // reply deadline.
  void command(std::vector<std::string> const& args, ReplyHandler handler,
               std::chrono::milliseconds blocks_for = std::chrono::milliseconds::zero()) override;

 private:
  using Clock = std::chrono::steady_clock;
  struct Waiting {
    ReplyHandler handler;
    std::chrono::milliseconds blocks_for;
    Clock::time_point deadline = Clock::time_point::max();  // set when written: one not written yet is not late
  };

  void send(std::vector<std::string> const& args, ReplyHandler handler,
            std::chrono::milliseconds blocks_for = std::chrono::milliseconds::zero());
  void on_answered();
  void check_role(RedisReply const& reply);
  void refused(std::string const& reason);
  void arm_deadline();
  void on_deadline();
  void connect();
  void resolve();
  void arm_step_deadline(std::string what);
  void on_connected(error_code error);
  void handshake();
  void on_handshake(error_code error);
  void on_open();
  void fail(error_code error);
  void write_pending();
  void read();
  void on_read(error_code error, std::size_t bytes);
  bool parse_replies();
  void lose(std::string const& why);
  void retry_later();

  asio::any_io_executor executor_;
  RedisEndpoint const endpoint_;
  RedisConnectionOptions const options_;
  RedisAddress address_;
  std::string name_;
  Events events_;
  tcp::resolver resolver_;
  RedisStream stream_;
  TickedTimer<asio::steady_timer> retry_timer_;
  TickedTimer<asio::steady_timer> deadline_timer_;  // the oldest unanswered command's deadline
  std::unique_ptr<redisReader, void (*)(redisReader*)> reader_;
  std::string writing_;              // the bytes of the write in flight
  std::string queued_;               // commands sent while a write is in flight, written next
  std::size_t queued_commands_ = 0;  // how many: the last ones waiting
  std::deque<Waiting> waiting_;      // one per command written or queued, in order
  std::vector<char> read_buffer_;
  std::chrono::milliseconds retry_after_;
  // The socket's tick, moved on by every loss: a read or write that completed on the lost socket does nothing.
  std::uint64_t socket_tick_ = 0;
  bool deadline_armed_ = false;
  bool open_ = false;  // the socket is connected, and the TLS handshake done
  bool up_ = false;    // and Redis has answered on it
  bool stopped_ = false;
  bool writing_now_ = false;
};

}  // namespace wshub
