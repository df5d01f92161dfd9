// Reads the sentinels' answer ([ip, port]) and their +switch-master messages ("NAME OLD-IP OLD-PORT NEW-IP NEW-PORT").
#include "cluster/sentinel_watch.hpp"

#include <charconv>
#include <sstream>
#include <utility>

#include "ops/logging.hpp"

namespace wshub {
namespace {

constexpr std::string_view switch_channel = "+switch-master";

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
      connection_(executor, sentinel_endpoint(options_),
                  {.reply_timeout = reply_timeout, .locate = [this] { return std::optional(next_sentinel()); }},
                  {.on_up = [this] { on_up(); },
                   .on_down = [](std::string const&) {},
                   .on_refused = [this](RedisRefusal const& refusal) { on_refused(refusal); },
                   .on_push = [this](RedisReply const& reply) { on_message(reply); }}) {}

void SentinelWatch::start(std::string name, SwitchHandler on_switch) {
  on_switch_ = std::move(on_switch);
  connection_.start(std::move(name));
}

RedisAddress SentinelWatch::next_sentinel() {
  auto const& sentinel = options_.sentinels[next_];
  next_ = (next_ + 1) % options_.sentinels.size();
  return sentinel;
}

// Pipelined: the sentinel runs both before it sends the next message, so no switch falls between them.
void SentinelWatch::on_up() {
  refusal_logged_ = false;
  connection_.command({"SENTINEL", "get-master-addr-by-name", options_.master_name},
                      [this](RedisReply const& reply) { on_named(reply); });
  connection_.command({"SUBSCRIBE", std::string(switch_channel)}, [](RedisReply const&) {});
}

void SentinelWatch::on_named(RedisReply const& reply) {
  if (reply.is_error() || reply.elements.size() != 2) {
    if (!reply.is_error() || connection_.up()) {
      log_event(spdlog::level::err, {{"master_name", options_.master_name}},
                "cluster: sentinel at {} knows no primary named {} (REDIS_MASTER_NAME)",
                shown_address(connection_.address()), options_.master_name);
    }
    return;
  }
  auto const port = port_of(reply.elements[1].text);
  if (port) switch_to({.host = reply.elements[0].text, .port = *port});
}

// Logged once until a sentinel accepts the password again: every sentinel of the list would say the same.
void SentinelWatch::on_refused(RedisRefusal const& refusal) {
  if (std::exchange(refusal_logged_, true)) return;
  log_event(spdlog::level::err, {{"reason", refusal.reason}},
            "cluster: sentinel at {} refused REDIS_SENTINEL_PASSWORD ({}); asking the next",
            shown_address(connection_.address()), refusal.reason);
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
  on_switch_(*primary_);
}

}  // namespace wshub
