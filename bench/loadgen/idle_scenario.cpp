// The idle scenario: many clients that connect and stay quiet; it measures handshakes per second, and the server's
// memory, CPU and open files per connection.
#include "idle_scenario.hpp"

#include <algorithm>
#include <cstdint>
#include <deque>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

#include "client_crowd.hpp"
#include "http_client.hpp"
#include "report.hpp"
#include "scenario_context.hpp"

namespace loadgen {
namespace {

constexpr std::int64_t kFirstClientId = 3'000'000;
constexpr auto kRssSampleInterval = std::chrono::milliseconds(100);
// RSS has settled when a second's samples (11 of them, 100 ms apart) agree this closely.
constexpr std::size_t kRssSamplesPerWindow = 11;
constexpr std::int64_t kRssToleranceKib = 64;
constexpr double kRssToleranceFraction = 0.002;

bool is_flat(const std::deque<std::int64_t>& samples) {
  const auto [low, high] = std::ranges::minmax(samples);
  return high - low <= std::max(kRssToleranceKib, static_cast<std::int64_t>(kRssToleranceFraction * high));
}

// Samples the server's RSS, the loop running in between so that the clients stay served, until it has settled or
// the step's time is up; returns the last sample.
std::optional<std::int64_t> settled_rss_kib(ScenarioContext& context) {
  if (!context.server.rss_kib()) return std::nullopt;
  std::deque<std::int64_t> window;
  const TimePoint deadline = context.step_deadline();
  while (true) {
    window.push_back(*context.server.rss_kib());
    if (window.size() > kRssSamplesPerWindow) window.pop_front();
    if ((window.size() == kRssSamplesPerWindow && is_flat(window)) || Clock::now() >= deadline) return window.back();
    context.loop.run_for(kRssSampleInterval);
  }
}

// The number of ids in {"clients":[...]}: ids hold no commas, so count those between the brackets.
std::optional<std::size_t> count_listed_clients(std::string_view body) {
  const std::size_t open = body.find('[');
  const std::size_t close = body.find(']', open);
  if (open == std::string_view::npos || close == std::string_view::npos) return std::nullopt;
  const std::string_view ids = body.substr(open + 1, close - open - 1);
  if (ids.find_first_not_of(" \t\r\n") == std::string_view::npos) return 0;
  return std::ranges::count(ids, ',') + 1;
}

// Asks the server, over GET /clients, how many clients it has.
std::optional<std::size_t> listed_clients(ScenarioContext& context) {
  HttpClient http(context.loop, context.targets.api());
  http.send("GET", "/clients");
  if (!context.loop.run_until(context.step_deadline(), [&http] { return http.done(); })) {
    context.checks.fail("GET /clients got no answer in time");
    return std::nullopt;
  }
  if (!http.failure().empty() || http.response()->status != 200) {
    context.checks.fail("GET /clients failed: " + (http.failure().empty() ? http.response()->body : http.failure()));
    return std::nullopt;
  }
  const std::optional<std::size_t> count = count_listed_clients(http.response()->body);
  if (!count) context.checks.fail("GET /clients answered without a list: " + http.response()->body.substr(0, 80));
  return count;
}

std::optional<double> difference(std::optional<std::int64_t> from, std::optional<std::int64_t> to) {
  if (!from || !to) return std::nullopt;
  return static_cast<double>(*to - *from);
}

std::optional<double> per_unit(std::optional<double> total, std::size_t units) {
  if (!total || units == 0) return std::nullopt;
  return *total / static_cast<double>(units);
}

}  // namespace

int run_idle_scenario(const CommonOptions& common, const IdleOptions& options) {
  ScenarioContext context(common);
  Report report("idle", common.label);
  report.add_count("clients", "clients", options.clients);
  report.add_count("servers", "servers (clients in turn)", context.targets.size());

  const std::optional<std::int64_t> rss_before = settled_rss_kib(context);
  const std::optional<std::int64_t> fds_before = context.server.open_fds();
  report.add_count("deflate_offered", "permessage-deflate offered (1) or not (0)", options.deflate ? 1 : 0);
  ClientCrowd crowd(context.loop, context.targets, options.clients, kFirstClientId, context.checks,
                    options.deflate ? Compression::offer_deflate : Compression::none);
  CpuWindow server_cpu(context.server);
  CpuWindow redis_cpu(context.redis);
  server_cpu.start();
  redis_cpu.start();
  const TimePoint begin = Clock::now();
  const std::size_t opened = crowd.open_all(kMaxPendingHandshakes, context.step_deadline());
  const double seconds = to_seconds(Clock::now() - begin);
  server_cpu.stop();
  redis_cpu.stop();
  const std::optional<std::int64_t> rss_after = settled_rss_kib(context);
  const std::optional<std::int64_t> fds_after = context.server.open_fds();
  const std::optional<std::size_t> listed = listed_clients(context);
  if (crowd.open_now() != options.clients) {
    context.checks.fail(std::to_string(crowd.open_now()) + " of " + std::to_string(options.clients) +
                        " clients were open at the end");
  }
  if (listed && *listed != options.clients) {
    context.checks.fail("GET /clients lists " + std::to_string(*listed) + " clients, not " +
                        std::to_string(options.clients));
  }
  crowd.abort_all();

  const std::optional<double> rss_growth = difference(rss_before, rss_after);
  report.add_count("connected", "clients connected", opened);
  report.add_count("deflate_connections", "clients compressed", crowd.compressed_count());
  report.add_number("connect_seconds", "time to connect them all (s)", seconds);
  report.add_number("handshakes_per_sec", "handshakes/s", static_cast<double>(opened) / seconds);
  report.add_number("server_cpu_us_per_handshake", "server CPU per handshake (us)",
                    server_cpu.us_per(static_cast<double>(opened)));
  report.add_number("redis_cpu_us_per_handshake", "Redis CPU per handshake (us)",
                    redis_cpu.us_per(static_cast<double>(opened)));
  report.add_number("server_rss_before_kib", "server RSS before (KiB)", as_number(rss_before));
  report.add_number("server_rss_after_kib", "server RSS after (KiB)", as_number(rss_after));
  report.add_number("server_rss_per_conn_kib", "server RSS per connection (KiB)", per_unit(rss_growth, opened));
  report.add_number("server_fds", "server open files after", as_number(fds_after));
  report.add_number("server_fds_per_conn", "server open files per connection",
                    per_unit(difference(fds_before, fds_after), opened));
  return report.publish(context.checks, std::cout, std::cerr);
}

}  // namespace loadgen
