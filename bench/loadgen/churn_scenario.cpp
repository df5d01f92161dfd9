// The churn scenario: loops that connect, upgrade, exchange one echo and close, over and over; it measures
// connections per second and the server's CPU per connection.
#include "churn_scenario.hpp"

#include <cstdint>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "latency_samples.hpp"
#include "report.hpp"
#include "scenario_context.hpp"
#include "ws_connection.hpp"

namespace loadgen {
namespace {

constexpr std::int64_t kFirstClientId = 4'000'000;

// N loops, each one connection at a time; every connection gets a fresh client id.
class ChurnLoops final : public WsHandler {
 public:
  ChurnLoops(ScenarioContext& context, std::size_t concurrency)
      : context_(context), client_ids_(concurrency), cycle_started_(concurrency) {
    for (std::size_t index = 0; index < concurrency; ++index) {
      connections_.push_back(std::make_unique<WsConnection>(context.loop, context.targets.for_client(index), *this,
                                                            index, Compression::none));
    }
  }

  void start() {
    for (auto& connection : connections_) start_cycle(*connection);
  }

  void start_measuring() {
    measuring_ = true;
    cycle_times_.clear();
  }
  void stop_measuring() { measuring_ = false; }

  // Lets every loop finish the connection it is on and start no other; false if some did not by the deadline.
  bool wind_down() {
    running_ = false;
    return context_.loop.run_until(context_.step_deadline(), [this] { return active_loops_ == 0; });
  }

  std::size_t active_loops() const { return active_loops_; }
  // Connections measured whose TLS handshake resumed an earlier session.
  std::size_t resumed() const { return resumed_; }
  LatencySamples& cycle_times() { return cycle_times_; }

 private:
  void start_cycle(WsConnection& connection) {
    const std::int64_t client_id = next_client_id_++;
    client_ids_[connection.index()] = client_id;
    cycle_started_[connection.index()] = Clock::now();
    if (const std::error_code error = connection.open(std::to_string(client_id), connections_started_++)) {
      context_.checks.fail("client " + std::to_string(client_id) + ": cannot start connecting: " + error.message());
      return;
    }
    ++active_loops_;
  }

  void on_open(WsConnection& connection) override {
    if (measuring_ && connection.resumed()) ++resumed_;
    connection.send_text(message(connection));
  }

  void on_text(WsConnection& connection, std::string_view text, TimePoint) override {
    const std::string expected = "Server echo: " + message(connection);
    if (connection.state() != WsConnection::State::open || text != expected) {
      context_.checks.fail(client_name(connection) + " expected \"" + expected + "\" only, got " +
                           std::string(text.substr(0, 60)));
    }
    if (connection.state() == WsConnection::State::open) connection.send_close();
  }

  void on_closed(WsConnection& connection, std::string_view failure) override {
    --active_loops_;
    if (!failure.empty()) {
      context_.checks.fail(client_name(connection) + ": " + std::string(failure));
    } else if (measuring_) {
      cycle_times_.add(Clock::now() - cycle_started_[connection.index()]);
    }
    if (running_) start_cycle(connection);
  }

  std::string message(const WsConnection& connection) const {
    return "churn-" + std::to_string(client_ids_[connection.index()]);
  }

  std::string client_name(const WsConnection& connection) const {
    return "client " + std::to_string(client_ids_[connection.index()]);
  }

  ScenarioContext& context_;
  std::vector<std::unique_ptr<WsConnection>> connections_;
  std::vector<std::int64_t> client_ids_;
  std::vector<TimePoint> cycle_started_;
  std::int64_t next_client_id_ = kFirstClientId;
  std::size_t connections_started_ = 0;
  std::size_t active_loops_ = 0;
  bool running_ = true;
  bool measuring_ = false;
  std::size_t resumed_ = 0;
  LatencySamples cycle_times_;
};

}  // namespace

int run_churn_scenario(const CommonOptions& common, const ChurnOptions& options) {
  ScenarioContext context(common);
  Report report("churn", common.label);
  report.add_count("concurrency", "loops in parallel", options.concurrency);

  ChurnLoops loops(context, options.concurrency);
  loops.start();
  context.loop.run_for(from_seconds(common.warmup_seconds));

  CpuWindow server_cpu(context.server);
  server_cpu.start();
  loops.start_measuring();
  const TimePoint begin = Clock::now();
  context.loop.run_for(from_seconds(options.seconds));
  const double seconds = to_seconds(Clock::now() - begin);
  loops.stop_measuring();
  server_cpu.stop();
  if (!loops.wind_down()) {
    context.checks.fail(std::to_string(loops.active_loops()) + " connections had not finished closing in time");
  }

  const std::size_t cycles = loops.cycle_times().count();
  report.add_number("seconds", "measured (s)", seconds);
  report.add_count("connections", "connections completed", cycles);
  report.add_number("conns_per_sec", "connections/s", static_cast<double>(cycles) / seconds);
  report.add_number("cycle_p50_us", "connect to closed, p50 (us)", loops.cycle_times().percentile_us(0.50));
  report.add_number("cycle_p99_us", "connect to closed, p99 (us)", loops.cycle_times().percentile_us(0.99));
  report.add_number("server_cpu_us_per_conn", "server CPU per connection (us)",
                    server_cpu.us_per(static_cast<double>(cycles)));
  if (common.tls) report.add_count("tls_resumed", "TLS handshakes resumed", loops.resumed());
  return report.publish(context.checks, std::cout, std::cerr);
}

}  // namespace loadgen
