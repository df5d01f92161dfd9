// Drives hiredis's RESP reader over an Asio socket (TLS or not): one write in flight, replies matched to commands in
// FIFO order.
#include "cluster/redis_connection.hpp"

#include <pthread.h>

#include <csignal>
#include <stdexcept>

#include <hiredis/hiredis.h>
#include <spdlog/spdlog.h>
#include <boost/asio/buffer.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>

#include "ops/logging.hpp"

namespace wshub {
namespace {

constexpr std::size_t read_chunk_bytes = 64 * 1024;

RedisReply converted(redisReply const& raw) {
  RedisReply reply;
  switch (raw.type) {
    case REDIS_REPLY_INTEGER:
      reply.kind = RedisReply::Kind::integer;
      reply.integer = raw.integer;
      break;
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
    case REDIS_REPLY_ERROR:
      reply.kind = raw.type == REDIS_REPLY_STRING   ? RedisReply::Kind::string
                   : raw.type == REDIS_REPLY_STATUS ? RedisReply::Kind::status
                                                    : RedisReply::Kind::error;
      reply.text.assign(raw.str, raw.len);
      break;
    case REDIS_REPLY_ARRAY:
      reply.kind = RedisReply::Kind::array;
      reply.elements.reserve(raw.elements);
      for (std::size_t i = 0; i < raw.elements; ++i) reply.elements.push_back(converted(*raw.element[i]));
      break;
    default:
      break;  // nil
  }
  return reply;
}

// What Redis answers a connection whose credentials it does not take, to AUTH or to the commands after it.
bool is_refusal(RedisReply const& reply) {
  return reply.is_error() &&
         (reply.text.starts_with("WRONGPASS") || reply.text.starts_with("NOPERM") || reply.text.starts_with("NOAUTH"));
}

// A message of a subscribed channel (RESP2: ["message", channel, payload]), which answers no command.
bool is_message(RedisReply const& reply) {
  return reply.kind == RedisReply::Kind::array && reply.elements.size() == 3 && reply.elements[0].text == "message";
}

}  // namespace

RedisConnection::RedisConnection(asio::any_io_executor executor, RedisEndpoint endpoint, RedisConnectionOptions options,
                                 Events events)
    : executor_(executor),
      endpoint_(std::move(endpoint)),
      options_(std::move(options)),
      address_{.host = endpoint_.host, .port = endpoint_.port},
      events_(std::move(events)),
      resolver_(executor),
      stream_(executor, endpoint_.tls ? options_.tls : nullptr),
      retry_timer_(executor),
      deadline_timer_(executor),
      reader_(redisReaderCreate(), redisReaderFree),
      read_buffer_(read_chunk_bytes),
      retry_after_(options_.first_retry_after) {
  if (endpoint_.tls && !options_.tls) throw std::invalid_argument("a rediss:// connection needs a TLS context");
}

void RedisConnection::start(std::string name) {
  name_ = std::move(name);
  connect();
}

void RedisConnection::stop() {
  stopped_ = true;
  retry_timer_.cancel();
  deadline_timer_.cancel();
  stream_.close();
}

// Whatever the connection is doing (connected, in an attempt at the old address, or waiting out a backoff spent on
// it), it starts over at once: lose() moves the socket's tick on, so a resolve or connect still under way is dropped.
void RedisConnection::reconnect(std::string const& why) {
  if (stopped_) return;
  lose(why);
  retry_timer_.cancel();
  retry_after_ = options_.first_retry_after;
  connect();
}

void RedisConnection::command(std::vector<std::string> const& args, ReplyHandler handler,
                              std::chrono::milliseconds blocks_for) {
  if (!up_) {
    asio::post(executor_, [handler = std::move(handler)]() mutable {
      std::move(handler)(RedisReply::error("not connected to Redis"));
    });
    return;
  }
  send(args, std::move(handler), blocks_for);
}

void RedisConnection::send(std::vector<std::string> const& args, ReplyHandler handler,
                           std::chrono::milliseconds blocks_for) {
  append_redis_command(queued_, args);
  waiting_.push_back({.handler = std::move(handler), .blocks_for = blocks_for});
  ++queued_commands_;
  if (!writing_now_) write_pending();
}

// One wait at a time, for the oldest command: replies come in order, so none can be late before it is.
void RedisConnection::arm_deadline() {
  if (deadline_armed_ || waiting_.empty() || waiting_.front().deadline == Clock::time_point::max()) return;
  deadline_armed_ = true;
  deadline_timer_.arm_at(waiting_.front().deadline, [this] { on_deadline(); });
}

void RedisConnection::on_deadline() {
  deadline_armed_ = false;
  if (waiting_.empty()) return;
  if (waiting_.front().deadline > Clock::now()) return arm_deadline();
  // A reply that has arrived but is not handled yet (this process was busy or stopped) is not late: on_read re-arms.
  if (stream_.has_unread_bytes()) return;
  lose(fmt::format("no reply within {} ms", options_.reply_timeout.count()));
}

void RedisConnection::connect() {
  // Asio starts its resolver thread inside the first async_resolve, with the caller's signal mask and without
  // blocking signals itself. Blocked here, that thread never takes the SIGTERM that is the signal watcher's (which
  // would kill a process on its way to exiting 0 once the watcher is gone).
  sigset_t all, previous;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &previous);
  resolve();
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
}

// The connect is held to the reply deadline: a host that is gone answers no SYN, and the kernel's own connect
// timeout is two minutes.
void RedisConnection::resolve() {
  if (options_.locate) {
    auto located = options_.locate();
    if (!located) return lose("no primary is known yet");
    address_ = std::move(*located);
  }
  arm_step_deadline(fmt::format("no connection to {}", shown_address(address_)));
  resolver_.async_resolve(address_.host, std::to_string(address_.port),
                          [this, tick = socket_tick_](error_code error, tcp::resolver::results_type results) {
                            if (stopped_ || tick != socket_tick_) return;
                            if (error)
                              return lose(fmt::format("cannot resolve {}: {}", address_.host, error.message()));
                            stream_.renew(address_.host);
                            asio::async_connect(stream_.socket(), results,
                                                [this, tick](error_code error, tcp::endpoint const&) {
                                                  if (tick == socket_tick_) on_connected(error);
                                                });
                          });
}

// A step of an attempt (the connect, the TLS handshake) on the timer the replies use: none is in flight yet.
void RedisConnection::arm_step_deadline(std::string what) {
  deadline_armed_ = true;
  deadline_timer_.arm_after(options_.reply_timeout, [this, what = std::move(what)] {
    deadline_armed_ = false;
    lose(fmt::format("{} within {} ms", what, options_.reply_timeout.count()));
  });
}

void RedisConnection::on_connected(error_code error) {
  if (stopped_) return;
  if (error) return lose(error.message());
  deadline_armed_ = false;
  deadline_timer_.cancel();
  stream_.socket().set_option(tcp::no_delay(true));
  if (stream_.tls()) return handshake();
  on_open();
}

// Held to the reply deadline: a Redis that accepts connections and then stalls (stopped, overloaded) is down.
void RedisConnection::handshake() {
  arm_step_deadline("no TLS handshake");
  stream_.async_handshake([this, tick = socket_tick_](error_code error) {
    if (tick == socket_tick_) on_handshake(error);
  });
}

void RedisConnection::on_handshake(error_code error) {
  deadline_armed_ = false;
  deadline_timer_.cancel();
  if (error) return fail(error);
  on_open();
}

void RedisConnection::on_open() {
  open_ = true;
  // A fresh reader: bytes half-parsed on the lost connection mean nothing on this one.
  reader_.reset(redisReaderCreate());
  read();
  // AUTH first: until it succeeds, Redis answers every other command with NOAUTH.
  if (!endpoint_.password.empty()) {
    std::vector<std::string> auth{"AUTH"};
    if (!endpoint_.user.empty()) auth.push_back(endpoint_.user);
    auth.push_back(endpoint_.password);
    send(auth, [this](RedisReply const& reply) {
      if (reply.is_error()) refused(reply.text);
    });
  }
  if (!name_.empty()) {
    send({"CLIENT", "SETNAME", name_}, [this](RedisReply const& reply) {
      if (is_refusal(reply)) refused(reply.text);
    });
  }
  if (endpoint_.database != 0) {
    send({"SELECT", std::to_string(endpoint_.database)}, [this](RedisReply const& reply) {
      if (is_refusal(reply)) return refused(reply.text);
      if (reply.is_error() && open_)
        log_event(spdlog::level::err, {{"connection", name_}, {"reason", reply.text}}, "redis {}: SELECT failed: {}",
                  name_, reply.text);
    });
  }
  // Up only once Redis answers: a stopped redis-server still completes TCP handshakes from its listen backlog.
  send({"PING"}, [this](RedisReply const& reply) {
    if (is_refusal(reply)) return refused(reply.text);
    if (open_ && !options_.require_primary) on_answered();
  });
  if (options_.require_primary) send({"ROLE"}, [this](RedisReply const& reply) { check_role(reply); });
}

// ROLE answers [role, ...]: "master" on a primary; a replica ("slave") or a sentinel is not where writes go.
void RedisConnection::check_role(RedisReply const& reply) {
  if (is_refusal(reply)) return refused(reply.text);
  if (!open_) return;
  auto const role = reply.elements.empty() ? reply.text : reply.elements.front().text;
  if (role != "master") return lose(fmt::format("{} is not the primary (ROLE: {})", shown_address(address_), role));
  on_answered();
}

// The first refusal of a handshake drops the connection: the commands behind it were refused too, or ran unauthorised.
void RedisConnection::refused(std::string const& reason) {
  if (!open_) return;
  if (events_.on_refused) events_.on_refused({.cause = RedisRefusal::Cause::credentials, .reason = reason});
  lose("Redis refused the credentials: " + reason);
}

void RedisConnection::on_answered() {
  up_ = true;
  retry_after_ = options_.first_retry_after;
  if (events_.on_up) events_.on_up();
}

void RedisConnection::write_pending() {
  if (queued_.empty() || !open_) return;
  writing_.swap(queued_);
  queued_.clear();
  writing_now_ = true;
  // Deadlines count from the write: a command queued when this process stopped was not late when it resumed.
  auto const now = Clock::now();
  for (auto i = waiting_.size() - std::exchange(queued_commands_, 0); i < waiting_.size(); ++i)
    waiting_[i].deadline = now + options_.reply_timeout + waiting_[i].blocks_for;
  arm_deadline();
  stream_.async_write(asio::buffer(writing_), [this, tick = socket_tick_](error_code error, std::size_t) {
    if (tick != socket_tick_) return;
    writing_now_ = false;
    writing_.clear();
    if (error) return fail(error);
    write_pending();
  });
}

void RedisConnection::read() {
  stream_.async_read_some(asio::buffer(read_buffer_), [this, tick = socket_tick_](error_code error, std::size_t bytes) {
    if (tick == socket_tick_) on_read(error, bytes);
  });
}

void RedisConnection::on_read(error_code error, std::size_t bytes) {
  if (error) return fail(error);
  if (redisReaderFeed(reader_.get(), read_buffer_.data(), bytes) != REDIS_OK || !parse_replies()) {
    return lose("unreadable reply from Redis");
  }
  if (!open_) return;
  arm_deadline();
  read();
}

bool RedisConnection::parse_replies() {
  for (;;) {
    void* raw = nullptr;
    if (redisReaderGetReply(reader_.get(), &raw) != REDIS_OK) return false;
    if (raw == nullptr) return true;
    std::unique_ptr<redisReply, void (*)(void*)> owned(static_cast<redisReply*>(raw), freeReplyObject);
    auto reply = converted(*owned);
    if (events_.on_push && is_message(reply)) {
      events_.on_push(reply);
      continue;
    }
    if (waiting_.empty()) return false;  // a reply nobody asked for: the stream is out of step
    auto handler = std::move(waiting_.front().handler);
    waiting_.pop_front();
    auto const tick = socket_tick_;
    std::move(handler)(reply);
    if (tick != socket_tick_) return true;  // the handler's own command found the connection lost
  }
}

// OpenSSL's errors before Redis first answers on a connection (a certificate not verified, a peer that does not
// speak TLS, a client certificate that Redis wants or rejects, which TLS 1.3 reports only after the handshake) are a
// matter of settings: a refusal. Anything else, or later, is a loss like any other.
void RedisConnection::fail(error_code error) {
  if (error == asio::error::eof || error == asio::ssl::error::stream_truncated) {
    return lose("Redis closed the connection");
  }
  if (error.category() != asio::error::get_ssl_category() || up_) return lose(error.message());
  auto const why = stream_.tls_failure(error);
  if (events_.on_refused) events_.on_refused({.cause = RedisRefusal::Cause::tls, .reason = why});
  lose("TLS to Redis failed: " + why);
}

void RedisConnection::lose(std::string const& why) {
  bool const was_up = up_;
  up_ = false;
  open_ = false;
  ++socket_tick_;
  resolver_.cancel();
  deadline_armed_ = false;
  deadline_timer_.cancel();
  writing_now_ = false;
  writing_.clear();
  queued_.clear();
  queued_commands_ = 0;
  stream_.close();
  // Answered after the state is reset, so a handler that sends again finds the connection down, not half-torn.
  auto failed = std::exchange(waiting_, {});
  for (auto& waiting : failed) std::move(waiting.handler)(RedisReply::error("connection to Redis lost: " + why));
  if (events_.on_down) events_.on_down(was_up ? why : "not connected: " + why);
  if (!stopped_) retry_later();
}

void RedisConnection::retry_later() {
  retry_timer_.arm_after(retry_after_, [this] { connect(); });
  retry_after_ = std::min(retry_after_ * 2, options_.longest_retry_after);
}

}  // namespace wshub
