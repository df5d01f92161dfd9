// The send scenario: idle clients, and targeted sends over HTTP (POST /clients/{id}/send), several in flight,
// each timed from its POST until its client reads it.
#include "send_scenario.hpp"

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "broadcast_api.hpp"
#include "client_crowd.hpp"
#include "http_client.hpp"
#include "latency_samples.hpp"
#include "report.hpp"
#include "scenario_context.hpp"
#include "send_api.hpp"
#include "send_ledger.hpp"

namespace loadgen {
namespace {

constexpr std::int64_t kFirstClientId = 6'000'000;
// Send n carries "targeted send n".
constexpr std::string_view kSendPrefix = "targeted send ";
// After the last send, long enough for a duplicate delivery to show up.
constexpr auto kDuplicateWatch = std::chrono::milliseconds(100);

std::optional<std::size_t> send_number(std::string_view text) {
  if (!text.starts_with(kSendPrefix)) return std::nullopt;
  const std::string_view digits = text.substr(kSendPrefix.size());
  std::size_t number = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
  if (error != std::errc{} || end != digits.data() + digits.size()) return std::nullopt;
  return number;
}

// Where the clients connect: with several servers, to all but the first, which takes the POSTs, so that every send
// is issued at a node that does not hold its client; with one, to that one.
Targets client_targets(const CommonOptions& common) {
  if (common.ports.size() == 1) return Targets(common.host, common.ports);
  return Targets(common.host, {common.ports.begin() + 1, common.ports.end()});
}

// Keeps a number of POSTs in flight, each on a keep-alive connection of its own and each to the next client in
// turn, and books every answer and every delivery in the ledger.
class Sender final : public WsHandler {
 public:
  Sender(ScenarioContext& context, ClientCrowd& crowd, std::size_t in_flight)
      : context_(context), crowd_(crowd), ledger_(context.checks) {
    for (std::size_t i = 0; i < in_flight; ++i) {
      requests_.push_back({.http = std::make_unique<HttpClient>(context.loop, context.targets.api())});
    }
  }

  // Starts sends until `count` have started or `stop_starting` has passed, and waits until every one is answered
  // and read. False, with the failures logged, when a request fails or nothing moves for --timeout.
  bool run_sends(std::size_t count, TimePoint stop_starting) {
    to_start_ = count;
    stop_starting_ = stop_starting;
    last_progress_ = Clock::now();
    const Clock::duration patience = from_seconds(context_.common.timeout_seconds);
    // The loop asks before every wait whether to stop: that is where an answered POST is followed by the next.
    while (!context_.loop.run_until(last_progress_ + patience, [this] {
      follow_up_answers();
      return failed_ || (to_start_ == 0 && ledger_.settled());
    })) {
      if (Clock::now() >= last_progress_ + patience) report_stall();
    }
    return !failed_;
  }

  SendLedger& ledger() { return ledger_; }

 private:
  struct Request {
    std::unique_ptr<HttpClient> http;
    // The send it carries, while it waits for its answer.
    std::optional<std::size_t> send{};
    std::int64_t client_id = 0;
  };

  // Every client is open before the sends start.
  void on_open(WsConnection&) override {}

  void on_text(WsConnection& client, std::string_view text, TimePoint received_at) override {
    const std::int64_t client_id = crowd_.client_id(client.index());
    const std::optional<std::size_t> send = send_number(text);
    if (!send) {
      context_.checks.fail("client " + std::to_string(client_id) +
                           " got an unexpected message: " + std::string(text.substr(0, 80)));
      return;
    }
    last_progress_ = received_at;
    ledger_.client_received(client_id, *send, received_at);
  }

  void on_closed(WsConnection& client, std::string_view failure) override {
    fail("client " + std::to_string(crowd_.client_id(client.index())) + ": " + std::string(failure));
  }

  void follow_up_answers() {
    for (Request& request : requests_) {
      if (request.send && request.http->done()) book_answer(request);
      if (!request.send && !failed_) start_next(request);
    }
  }

  void book_answer(Request& request) {
    const std::size_t send = *request.send;
    request.send.reset();
    last_progress_ = Clock::now();
    const HttpClient& http = *request.http;
    const std::string name = "send " + std::to_string(send) + " to client " + std::to_string(request.client_id);
    if (!http.failure().empty()) {
      fail(name + ": " + http.failure());
    } else if (sent_count(*http.response()) != 1) {
      fail(name + ": expected 200 {\"sent\":1}, got " + std::to_string(http.response()->status) + " " +
           http.response()->body.substr(0, 80));
    } else {
      ledger_.answer_send(send, http.sent_at());
    }
  }

  void start_next(Request& request) {
    if (to_start_ > 0 && Clock::now() >= stop_starting_) to_start_ = 0;
    if (to_start_ == 0) return;
    --to_start_;
    request.client_id = crowd_.client_id(next_client_);
    next_client_ = (next_client_ + 1) % crowd_.size();
    request.send = ledger_.start_send(request.client_id);
    const std::string message = std::string(kSendPrefix) + std::to_string(*request.send);
    request.http->send("POST", send_path(request.client_id), broadcast_body(message));
  }

  void report_stall() {
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%g", context_.common.timeout_seconds);
    fail(std::string("no send was answered or delivered for ") + seconds + " s (--timeout)");
  }

  void fail(std::string what) {
    context_.checks.fail(std::move(what));
    failed_ = true;
  }

  ScenarioContext& context_;
  ClientCrowd& crowd_;
  SendLedger ledger_;
  std::vector<Request> requests_;
  std::size_t next_client_ = 0;
  std::size_t to_start_ = 0;
  TimePoint stop_starting_;
  TimePoint last_progress_;
  bool failed_ = false;
};

TimePoint after_seconds(TimePoint begin, double seconds) {
  return seconds > 0 ? begin + from_seconds(seconds) : TimePoint::max();
}

// Runs the measured sends, after the warm-up's, and reports them.
void measure_sends(ScenarioContext& context, Sender& sender, const SendOptions& options, Report& report) {
  const std::size_t first_measured = sender.ledger().started();
  CpuWindow server_cpu(context.server);
  CpuWindow redis_cpu(context.redis);
  CpuWindow own_cpu(context.load_generator);
  server_cpu.start();
  redis_cpu.start();
  own_cpu.start();
  const TimePoint begin = Clock::now();
  sender.run_sends(options.sends, after_seconds(begin, options.max_seconds));
  const double seconds = to_seconds(Clock::now() - begin);
  server_cpu.stop();
  redis_cpu.stop();
  own_cpu.stop();

  LatencySamples latencies = sender.ledger().latencies_from(first_measured);
  const auto sends = static_cast<double>(latencies.count());
  report.add_count("warmup_sends", "sends in the warm-up", first_measured);
  report.add_count("sends", "sends answered and delivered", latencies.count());
  report.add_number("seconds", "measured (s)", seconds);
  report.add_number("sends_per_sec", "sends/s", sends / seconds);
  report.add_number("latency_p50_us", "POST to delivery, p50 (us)", latencies.percentile_us(0.50));
  report.add_number("latency_p99_us", "POST to delivery, p99 (us)", latencies.percentile_us(0.99));
  report.add_number("latency_max_us", "POST to delivery, max (us)", latencies.max_us());
  report.add_number("server_cpu_us_per_send", "server CPU per send (us)", server_cpu.us_per(sends));
  report.add_number("redis_cpu_us_per_send", "Redis CPU per send (us)", redis_cpu.us_per(sends));
  report.add_number("loadgen_cpu_us_per_send", "load generator CPU per send (us)", own_cpu.us_per(sends));
}

}  // namespace

int run_send_scenario(const CommonOptions& common, const SendOptions& options) {
  ScenarioContext context(common);
  Report report("send", common.label);
  report.add_count("clients", "clients", options.clients);
  report.add_count("servers", "servers (POSTs to the first)", context.targets.size());
  report.add_count("in_flight", "requests in flight", options.in_flight);
  report.add_count("sends_requested", "sends asked for", options.sends);

  const Targets holders = client_targets(common);
  ClientCrowd crowd(context.loop, holders, options.clients, kFirstClientId, context.checks, Compression::none);
  crowd.open_all(kMaxPendingHandshakes, context.step_deadline());
  if (!context.checks.passed()) return report.publish(context.checks, std::cout, std::cerr);

  Sender sender(context, crowd, options.in_flight);
  crowd.hand_over_to(sender);
  const TimePoint warmup_end = Clock::now() + from_seconds(common.warmup_seconds);
  if (sender.run_sends(std::numeric_limits<std::size_t>::max(), warmup_end)) {
    measure_sends(context, sender, options, report);
  }
  // However far the run got, every send answered {"sent": 1} must have arrived, and none twice.
  context.loop.run_for(kDuplicateWatch);
  crowd.abort_all();
  sender.ledger().close_books();
  return report.publish(context.checks, std::cout, std::cerr);
}

}  // namespace loadgen
