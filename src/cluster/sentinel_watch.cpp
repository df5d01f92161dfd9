// Reads the sentinels' answer ([ip, port]) and their +switch-master messages ("NAME OLD-IP OLD-PORT NEW-IP NEW-PORT").
#include "cluster/sentinel_watch.hpp"

#include <charconv>
#include <sstream>
#include <utility>

#include "ops/logging.hpp"

namespace wshub {
namespace {

constexpr std::string_view switch_channel = "+switch-master";
constexpr auto ping_every = std::chrono::seconds(1);

RedisEndpoint sentinel_endpoint(SentinelOptions const& options) {
  auto const& first = options.sentinels.front();
  return {.host = first.host, .port = first.port, .database = 0, .user = {}, .password = options.password};
}

std::optional<std::uint16_t> port_of(std::string const& text) {
  std::uint16_t port = 0;
  auto const result = std::from_chars(text.data(), text.data() + text.size(), port);
  if (result.ec != std::errc{} || result.ptr != text.data() + text.size() || port == 0) return std::nullopt;
  return port;
}

}  // namespace

SentinelWatch::SentinelWatch(asio::any_io_executor executor, SentinelOptions options,
                             std::chrono::milliseconds reply_timeout)
    : options_(std::move(options)),
      ping_timer_(executor),
      connection_(
          executor, sentinel_endpoint(options_),
          {.reply_timeout = reply_timeout, .locate = [this] { return std::optional(next_sentinel()); }},
          {.on_up = [this] { on_up(); },
           .on_down = [this](std::string const& why) { events_.on_down(why); },
           .on_refused =
               [this](RedisRefusal const& refusal) {
                 events_.on_refused({.cause = RedisRefusal::Cause::sentinel,
                                     .reason = fmt::format("sentinel at {}: {}", shown_address(connection_.address()),
                                                           refusal.reason)});
               },
           .on_push = [this](RedisReply const& reply) { on_message(reply); }}) {}

void SentinelWatch::start(std::string name, Events events) {
  events_ = std::move(events);
  connection_.start(std::move(name));
}

RedisAddress SentinelWatch::next_sentinel() {
  auto const& sentinel = options_.sentinels[next_];
  next_ = (next_ + 1) % options_.sentinels.size();
  return sentinel;
}

// Pipelined: the sentinel runs both before it sends the next message, so no switch falls between them.
void SentinelWatch::on_up() {
  connection_.command({"SENTINEL", "get-master-addr-by-name", options_.master_name},
                      [this](RedisReply const& reply) { on_named(reply); });
  connection_.command({"SUBSCRIBE", std::string(switch_channel)}, [](RedisReply const&) {});
  keep_alive();
}

// A subscribed connection waits on nothing: the PING gives the reply deadline something to time. Its reply
// (["pong", ""]) is matched to it; a message never is (RedisConnection hands those to on_push first).
void SentinelWatch::keep_alive() {
  ping_timer_.arm_after(ping_every, [this] {
    if (!connection_.up()) return;  // the next connection starts its own
    connection_.command({"PING"}, [](RedisReply const&) {});
    keep_alive();
  });
}

// A sentinel that names no primary is, for the node, a Redis it cannot reach: said once per connection, naming the
// setting that is most likely wrong.
void SentinelWatch::on_named(RedisReply const& reply) {
  if (reply.is_error() && !connection_.up()) return;  // lost: the next connection asks again
  auto const sentinel = shown_address(connection_.address());
  auto const port = reply.elements.size() == 2 ? port_of(reply.elements[1].text) : std::nullopt;
  if (port) return switch_to({.host = reply.elements[0].text, .port = *port});
  auto const why =
      reply.is_error()
          ? fmt::format("{} does not answer as a sentinel (REDIS_SENTINELS): {}", sentinel, reply.text)
          : fmt::format("sentinel at {} knows no primary named {} (REDIS_MASTER_NAME)", sentinel, options_.master_name);
  log_event(spdlog::level::err, {{"sentinel", sentinel}}, "cluster: {}", why);
  events_.on_down(why);
}

// ["message", "+switch-master", "NAME OLD-IP OLD-PORT NEW-IP NEW-PORT"]
void SentinelWatch::on_message(RedisReply const& reply) {
  if (reply.elements.size() != 3 || reply.elements[1].text != switch_channel) return;
  std::istringstream words(reply.elements[2].text);
  std::string name, old_host, old_port, new_host, new_port;
  if (!(words >> name >> old_host >> old_port >> new_host >> new_port) || name != options_.master_name) return;
  if (auto const port = port_of(new_port)) switch_to({.host = new_host, .port = *port});
}

void SentinelWatch::switch_to(RedisAddress primary) {
  if (primary_ == primary) return;
  log_event(spdlog::level::info, {{"redis_primary", shown_address(primary)}},
            "cluster: the sentinels name {} as the primary of {}", shown_address(primary), options_.master_name);
  primary_ = std::move(primary);
  events_.on_switch(*primary_);
}

}  // namespace wshub
