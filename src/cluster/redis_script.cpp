// EVALSHA with EVAL the first time on each connection and after a NOSCRIPT, the calls kept in order throughout.
#include "cluster/redis_script.hpp"

#include "protocol/sha1.hpp"

namespace wshub {
namespace {

std::string to_hex(std::array<std::uint8_t, 20> const& digest) {
  constexpr char digits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(digest.size() * 2);
  for (auto const byte : digest) {
    hex += digits[byte >> 4];
    hex += digits[byte & 0x0f];
  }
  return hex;
}

bool is_noscript(RedisReply const& reply) {
  return reply.is_error() && reply.text.starts_with("NOSCRIPT");
}

}  // namespace

RedisScript::RedisScript(std::string text) : text_(std::move(text)), sha1_(to_hex(wshub::sha1(text_))) {}

ScriptingLink::ScriptingLink(LinkFactory const& make_link, Events events)
    : events_(std::move(events)),
      link_(make_link({.on_up =
                           [this] {
                             sent_as_text_.clear();
                             if (events_.on_up) events_.on_up();
                           },
                       .on_down =
                           [this](std::string const& why) {
                             if (events_.on_down) events_.on_down(why);
                           },
                       .on_refused =
                           [this](RedisRefusal const& refusal) {
                             if (events_.on_refused) events_.on_refused(refusal);
                           }})) {}

void ScriptingLink::command(std::vector<std::string> const& args, ReplyHandler handler,
                            std::chrono::milliseconds blocks_for) {
  add({.handler = std::move(handler),
       .script = nullptr,
       .args = args,
       .blocks_for = blocks_for,
       .sent = false,
       .reply = std::nullopt});
}

void ScriptingLink::run(RedisScript const& script, std::vector<std::string> keys_and_args, ReplyHandler handler) {
  add({.handler = std::move(handler),
       .script = &script,
       .args = std::move(keys_and_args),
       .blocks_for = std::chrono::milliseconds::zero(),
       .sent = false,
       .reply = std::nullopt});
}

void ScriptingLink::add(Call call) {
  calls_.push_back(std::move(call));
  if (!holding_) send(first_call_ + calls_.size() - 1);
}

void ScriptingLink::send(std::uint64_t number) {
  auto& sending = call(number);
  sending.sent = true;
  ++in_flight_;
  auto handler = [this, number](RedisReply const& reply) { on_reply(number, reply); };
  if (sending.script == nullptr) return link_->command(sending.args, std::move(handler), sending.blocks_for);
  auto const& script = *sending.script;
  bool const loaded = sent_as_text_.contains(script.sha1());
  std::vector<std::string> args{loaded ? "EVALSHA" : "EVAL", loaded ? script.sha1() : script.text()};
  args.insert(args.end(), sending.args.begin(), sending.args.end());
  // Marked at once: the commands pipelined behind this one run after it, and so find the script loaded.
  sent_as_text_.insert(script.sha1());
  link_->command(args, std::move(handler));
}

void ScriptingLink::on_reply(std::uint64_t number, RedisReply const& reply) {
  --in_flight_;
  auto& answered = call(number);
  if (answered.script != nullptr && is_noscript(reply)) {
    // The whole cache is gone: every script goes as text again, this one first.
    holding_ = true;
    sent_as_text_.clear();
    send(number);
  } else {
    answered.reply = reply;
    answered.args.clear();
  }
  if (holding_ && in_flight_ == 0) send_waiting();
  hand_over();
}

// Nothing is in flight: every command sent before the NOSCRIPT has run, and so have the retries.
void ScriptingLink::send_waiting() {
  holding_ = false;
  for (auto number = first_call_; number < first_call_ + calls_.size(); ++number) {
    if (!call(number).sent) send(number);
  }
}

void ScriptingLink::hand_over() {
  while (!calls_.empty() && calls_.front().reply) {
    auto handed = std::move(calls_.front());
    calls_.pop_front();
    ++first_call_;
    std::move(handed.handler)(*handed.reply);
  }
}

}  // namespace wshub
