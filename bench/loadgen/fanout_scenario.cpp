// The fan-out scenario: idle clients, and broadcasts over HTTP timed until the last client has each one.
#include "fanout_scenario.hpp"

#include <cstdint>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "broadcast_api.hpp"
#include "chat_messages.hpp"
#include "client_crowd.hpp"
#include "http_client.hpp"
#include "latency_samples.hpp"
#include "report.hpp"
#include "scenario_context.hpp"

namespace loadgen {
namespace {

constexpr std::int64_t kFirstClientId = 2'000'000;
// After the last round, long enough for a duplicate delivery to show up.
constexpr auto kDuplicateWatch = std::chrono::milliseconds(100);
// Redis works when nobody asks anything of it (its cron runs ten times a second): a second of that, clients connected
// and no broadcast, is what the measured window would cost it without broadcasts.
constexpr auto kIdleWindow = std::chrono::seconds(1);

// Sends each round's broadcast and checks that every client gets every round once, in order.
class Broadcaster final : public WsHandler {
 public:
  Broadcaster(ScenarioContext& context, ClientCrowd& crowd, const FanoutOptions& options)
      : context_(context),
        crowd_(crowd),
        http_(context.loop, context.targets.api()),
        rounds_received_(crowd.size(), 0) {
    if (options.chat) chat_.emplace(options.chat_bytes, kChatSeed, kChatStreamBytes);
  }

  // Broadcasts round `round` and waits until every client has it; false (with the failures logged) otherwise.
  bool run_round(std::size_t round) {
    round_ = round;
    message_ = chat_ ? std::string(chat_->message(round)) : "round-" + std::to_string(round);
    delivered_ = 0;
    http_.send("POST", kBroadcastPath, broadcast_body(message_));
    const bool finished = context_.loop.run_until(context_.step_deadline(), [this] {
      return http_.done() && (delivered_ == crowd_.size() || !http_.failure().empty());
    });
    if (!finished) {
      context_.checks.fail(message_ + ": " + std::to_string(delivered_) + " of " + std::to_string(crowd_.size()) +
                           " clients had it when the time ran out" + (http_.done() ? "" : "; the POST got no answer"));
      return false;
    }
    return check_response();
  }

  // From the POST going out to the last client reading the message.
  Clock::duration last_round_latency() const { return last_delivery_at_ - http_.sent_at(); }

 private:
  // Every client is open before the rounds start.
  void on_open(WsConnection&) override {}

  void on_text(WsConnection& client, std::string_view text, TimePoint received_at) override {
    std::size_t& received = rounds_received_[client.index()];
    if (received != round_ || text != message_) {
      context_.checks.fail(client_name(client) + " expected " + (received == round_ ? message_ : "nothing") + ", got " +
                           std::string(text.substr(0, 60)));
      return;
    }
    ++received;
    if (++delivered_ == crowd_.size()) last_delivery_at_ = received_at;
  }

  void on_closed(WsConnection& client, std::string_view failure) override {
    context_.checks.fail(client_name(client) + ": " + std::string(failure));
  }

  bool check_response() {
    if (!http_.failure().empty()) {
      context_.checks.fail(message_ + ": " + http_.failure());
      return false;
    }
    const HttpResponse& response = *http_.response();
    if (sent_count(response) != crowd_.size()) {
      context_.checks.fail(message_ + ": expected 200 {\"sent\":" + std::to_string(crowd_.size()) + "}, got " +
                           std::to_string(response.status) + " " + response.body.substr(0, 80));
      return false;
    }
    return true;
  }

  std::string client_name(const WsConnection& client) const {
    return "client " + std::to_string(crowd_.client_id(client.index()));
  }

  ScenarioContext& context_;
  ClientCrowd& crowd_;
  HttpClient http_;
  // Per client, how many rounds it has had: the round it expects next.
  std::vector<std::size_t> rounds_received_;
  std::size_t round_ = 0;
  std::optional<ChatMessages> chat_;
  std::string message_;
  std::size_t delivered_ = 0;
  TimePoint last_delivery_at_;
};

// Broadcasts for `seconds` without measuring; returns the number of rounds it used.
std::size_t warm_up(Broadcaster& broadcaster, double seconds) {
  std::size_t rounds = 0;
  const TimePoint end = Clock::now() + from_seconds(seconds);
  while (Clock::now() < end && broadcaster.run_round(rounds)) ++rounds;
  return rounds;
}

// Runs the measured rounds until there are enough, one fails, or (with --max-seconds) the time to start them is up.
LatencySamples measure_rounds(Broadcaster& broadcaster, std::size_t first_round, const FanoutOptions& options) {
  LatencySamples latencies;
  const TimePoint stop_starting = Clock::now() + from_seconds(options.max_seconds);
  for (std::size_t round = first_round; latencies.count() < options.rounds; ++round) {
    const bool out_of_time = options.max_seconds > 0 && latencies.count() > 0 && Clock::now() >= stop_starting;
    if (out_of_time || !broadcaster.run_round(round)) break;
    latencies.add(broadcaster.last_round_latency());
  }
  return latencies;
}

// CPU per second of a process while the clients sit idle; empty without its pid (and then no time is spent on it).
std::optional<double> idle_cpu_us_per_sec(ScenarioContext& context, const ProcessProbe& probe) {
  if (!probe.cpu_time_us()) return std::nullopt;
  CpuWindow window(probe);
  window.start();
  context.loop.run_for(kIdleWindow);
  window.stop();
  return window.us_per(to_seconds(kIdleWindow));
}

// CPU per round beyond what the process spends idle over the same time.
std::optional<double> above_idle(std::optional<double> per_round, std::optional<double> idle_per_sec, double seconds,
                                 std::size_t rounds) {
  if (!per_round || !idle_per_sec || rounds == 0) return std::nullopt;
  return *per_round - *idle_per_sec * seconds / static_cast<double>(rounds);
}

}  // namespace

int run_fanout_scenario(const CommonOptions& common, const FanoutOptions& options) {
  ScenarioContext context(common);
  Report report("fanout", common.label);
  report.add_count("clients", "clients", options.clients);
  report.add_count("servers", "servers (clients in turn, POST to the first)", context.targets.size());
  report.add_count("rounds_requested", "rounds asked for", options.rounds);

  report.add_count("chat_payloads", "chat messages (1) or round-N (0)", options.chat ? 1 : 0);
  report.add_count("deflate_offered", "permessage-deflate offered (1) or not (0)", options.deflate ? 1 : 0);
  ClientCrowd crowd(context.loop, context.targets, options.clients, kFirstClientId, context.checks,
                    options.deflate ? Compression::offer_deflate : Compression::none);
  crowd.open_all(kMaxPendingHandshakes, context.step_deadline());
  if (!context.checks.passed()) return report.publish(context.checks, std::cout, std::cerr);

  Broadcaster broadcaster(context, crowd, options);
  crowd.hand_over_to(broadcaster);
  const std::size_t warmup_rounds = warm_up(broadcaster, common.warmup_seconds);
  if (!context.checks.passed()) return report.publish(context.checks, std::cout, std::cerr);
  const std::optional<double> redis_idle = idle_cpu_us_per_sec(context, context.redis);

  CpuWindow server_cpu(context.server);
  CpuWindow redis_cpu(context.redis);
  CpuWindow own_cpu(context.load_generator);
  server_cpu.start();
  redis_cpu.start();
  own_cpu.start();
  const TimePoint begin = Clock::now();
  const MessageBytes bytes_before = crowd.message_bytes();
  LatencySamples latencies = measure_rounds(broadcaster, warmup_rounds, options);
  const MessageBytes broadcast_bytes = crowd.message_bytes() - bytes_before;
  const double seconds = to_seconds(Clock::now() - begin);
  server_cpu.stop();
  redis_cpu.stop();
  own_cpu.stop();
  context.loop.run_for(kDuplicateWatch);
  crowd.abort_all();

  const std::size_t deliveries = latencies.count() * options.clients;
  report.add_count("deflate_connections", "clients compressed", crowd.compressed_count());
  report.add_count("rounds", "rounds measured", latencies.count());
  report.add_count("deliveries", "messages delivered", deliveries);
  report.add_number("seconds", "measured (s)", seconds);
  report.add_number("deliveries_per_sec", "deliveries/s", static_cast<double>(deliveries) / seconds);
  report.add_number("latency_p50_us", "POST to last client, p50 (us)", latencies.percentile_us(0.50));
  report.add_number("latency_p99_us", "POST to last client, p99 (us)", latencies.percentile_us(0.99));
  report.add_number("latency_max_us", "POST to last client, max (us)", latencies.max_us());
  report.add_number("server_wire_per_payload", "server's wire bytes per text byte", broadcast_bytes.received_ratio());
  report.add_number("server_cpu_us_per_delivery", "server CPU per delivery (us)",
                    server_cpu.us_per(static_cast<double>(deliveries)));
  const std::optional<double> redis_per_round = redis_cpu.us_per(static_cast<double>(latencies.count()));
  report.add_number("redis_cpu_us_per_broadcast", "Redis CPU per broadcast (us)", redis_per_round);
  report.add_number("redis_idle_cpu_us_per_sec", "Redis CPU per second, idle (us)", redis_idle);
  report.add_number("redis_cpu_us_per_broadcast_above_idle", "Redis CPU per broadcast above idle (us)",
                    above_idle(redis_per_round, redis_idle, seconds, latencies.count()));
  report.add_number("loadgen_cpu_us_per_delivery", "load generator CPU per delivery (us)",
                    own_cpu.us_per(static_cast<double>(deliveries)));
  return report.publish(context.checks, std::cout, std::cerr);
}

}  // namespace loadgen
