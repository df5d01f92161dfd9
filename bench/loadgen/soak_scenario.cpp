// The soak scenario: for a long time, clients come, echo once and go while broadcasts go out back to back; every
// delivery is checked against what `sent` counted, and the server's memory and open files must not creep.
#include "soak_scenario.hpp"

#include <charconv>
#include <cstdint>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "broadcast_api.hpp"
#include "delivery_ledger.hpp"
#include "http_client.hpp"
#include "report.hpp"
#include "scenario_context.hpp"
#include "ws_connection.hpp"

namespace loadgen {
namespace {

constexpr std::int64_t kFirstClientId = 5'000'000;
// Broadcast n carries "soak broadcast n"; a client's echo is of "soak client ID".
constexpr std::string_view kBroadcastPrefix = "soak broadcast ";
constexpr auto kFdSampleInterval = std::chrono::milliseconds(100);
constexpr auto kFdSettleTime = std::chrono::seconds(1);

std::optional<std::size_t> broadcast_number(std::string_view text) {
  const std::string_view digits = text.substr(kBroadcastPrefix.size());
  std::size_t number = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
  if (error != std::errc{} || end != digits.data() + digits.size()) return std::nullopt;
  return number;
}

// Slots of clients that connect, echo once, stay for a few broadcasts and leave, over and over; and one POST at a
// time, the next as soon as the last is answered. The ledger checks every delivery.
class SoakRun final : public WsHandler {
 public:
  // Client ids count up from `first_client_id`.
  SoakRun(ScenarioContext& context, const SoakOptions& options, std::int64_t first_client_id)
      : context_(context),
        broadcasts_per_client_(options.broadcasts_per_client),
        http_(context.loop, context.targets.api()),
        ledger_(options.concurrency, context.checks),
        slots_(options.concurrency),
        next_client_id_(first_client_id) {
    for (std::size_t index = 0; index < options.concurrency; ++index) {
      connections_.push_back(std::make_unique<WsConnection>(context.loop, context.targets.for_client(index), *this,
                                                            index, Compression::none));
    }
  }

  void start() {
    for (auto& connection : connections_) start_client(*connection);
    start_broadcast();
  }

  // Runs the load for `duration`, or until a POST fails.
  void run_for(Clock::duration duration) {
    // The loop asks before every wait whether to stop: that is where an answered POST is followed by the next.
    context_.loop.run_until(Clock::now() + duration, [this] {
      follow_up_answer();
      return broadcast_failed_;
    });
  }

  // Stops broadcasting, lets every client leave and settles the books; our HTTP connection is closed too.
  void wind_down() {
    broadcasting_ = false;
    const bool answered = context_.loop.run_until(context_.step_deadline(), [this] {
      follow_up_answer();
      return !in_flight_;
    });
    if (!answered) {
      context_.checks.fail("the last POST got no answer in time");
    }
    http_.disconnect();
    churning_ = false;
    for (auto& connection : connections_) leave_if_done(*connection);
    if (!context_.loop.run_until(context_.step_deadline(), [this] { return live_ == 0; })) {
      context_.checks.fail(std::to_string(live_) + " clients had not finished leaving in time");
    }
    ledger_.close_books();
  }

  const DeliveryLedger& ledger() const { return ledger_; }
  std::size_t clients_churned() const { return clients_churned_; }
  std::int64_t next_client_id() const { return next_client_id_; }

 private:
  struct Slot {
    std::int64_t client_id = 0;
    bool echoed = false;
    // It may leave once this many broadcasts have been answered (and its echo is back).
    std::size_t leave_at_answered = 0;
  };

  void start_client(WsConnection& connection) {
    Slot& slot = slots_[connection.index()];
    slot.client_id = next_client_id_++;
    if (const std::error_code error = connection.open(std::to_string(slot.client_id), connections_started_++)) {
      context_.checks.fail(client_name(connection) + ": cannot start connecting: " + error.message());
      return;
    }
    ledger_.client_connecting(connection.index(), slot.client_id);
    ++live_;
  }

  void on_open(WsConnection& connection) override {
    Slot& slot = slots_[connection.index()];
    slot.echoed = false;
    slot.leave_at_answered = ledger_.broadcasts_started() + broadcasts_per_client_;
    ledger_.client_opened(connection.index());
    connection.send_text(echo_text(connection));
  }

  void on_text(WsConnection& connection, std::string_view text, TimePoint) override {
    if (text.starts_with(kBroadcastPrefix)) {
      take_broadcast(connection, text);
      return;
    }
    Slot& slot = slots_[connection.index()];
    if (slot.echoed || text != "Server echo: " + echo_text(connection)) {
      context_.checks.fail(client_name(connection) + " got an unexpected message: " + std::string(text.substr(0, 60)));
      return;
    }
    slot.echoed = true;
    leave_if_done(connection);
  }

  void on_closed(WsConnection& connection, std::string_view failure) override {
    --live_;
    ledger_.client_closed(connection.index(), failure.empty());
    if (failure.empty()) {
      ++clients_churned_;
    } else {
      context_.checks.fail(client_name(connection) + ": " + std::string(failure));
    }
    if (churning_) start_client(connection);
  }

  void take_broadcast(WsConnection& connection, std::string_view text) {
    if (const std::optional<std::size_t> number = broadcast_number(text)) {
      ledger_.client_received(connection.index(), *number);
    } else {
      context_.checks.fail(client_name(connection) + " got a garbled broadcast: " + std::string(text.substr(0, 60)));
    }
  }

  void leave_if_done(WsConnection& connection) {
    const Slot& slot = slots_[connection.index()];
    const bool stayed = !churning_ || ledger_.broadcasts_answered() >= slot.leave_at_answered;
    if (connection.state() == WsConnection::State::open && slot.echoed && stayed) {
      ledger_.client_leaving(connection.index());
      connection.send_close();
    }
  }

  void start_broadcast() {
    const std::size_t number = ledger_.start_broadcast();
    http_.send("POST", kBroadcastPath, broadcast_body(std::string(kBroadcastPrefix) + std::to_string(number)));
    in_flight_ = true;
  }

  // Once the POST in flight is answered: books its `sent`, lets the clients that have stayed long enough leave,
  // and starts the next one.
  void follow_up_answer() {
    if (!in_flight_ || !http_.done()) return;
    in_flight_ = false;
    const std::optional<std::size_t> sent = http_.response() ? sent_count(*http_.response()) : std::nullopt;
    if (!sent) {
      const std::string answer = http_.response() ? http_.response()->body.substr(0, 80) : http_.failure();
      context_.checks.fail("broadcast " + std::to_string(ledger_.broadcasts_answered()) + ": " + answer);
      broadcast_failed_ = true;
      return;
    }
    ledger_.answer_broadcast(*sent);
    for (auto& connection : connections_) leave_if_done(*connection);
    if (broadcasting_) start_broadcast();
  }

  std::string echo_text(const WsConnection& connection) const {
    return "soak client " + std::to_string(slots_[connection.index()].client_id);
  }

  std::string client_name(const WsConnection& connection) const {
    return "client " + std::to_string(slots_[connection.index()].client_id);
  }

  ScenarioContext& context_;
  const std::size_t broadcasts_per_client_;
  HttpClient http_;
  DeliveryLedger ledger_;
  std::vector<Slot> slots_;
  std::vector<std::unique_ptr<WsConnection>> connections_;
  std::int64_t next_client_id_;
  std::size_t connections_started_ = 0;
  std::size_t live_ = 0;
  std::size_t clients_churned_ = 0;
  bool churning_ = true;
  bool broadcasting_ = true;
  bool in_flight_ = false;
  bool broadcast_failed_ = false;
};

// The server's open files once they have not changed for a second: it closes a socket only after it has seen ours
// close, so they fall for a moment after everyone has left.
std::optional<std::int64_t> settled_open_fds(ScenarioContext& context) {
  std::optional<std::int64_t> fds = context.server.open_fds();
  const TimePoint deadline = context.step_deadline();
  TimePoint unchanged_since = Clock::now();
  while (fds && Clock::now() - unchanged_since < kFdSettleTime && Clock::now() < deadline) {
    context.loop.run_for(kFdSampleInterval);
    const std::optional<std::int64_t> sample = context.server.open_fds();
    if (sample != fds) unchanged_since = Clock::now();
    fds = sample;
  }
  return fds;
}

// Samples the server's open files until they are back to `baseline` (or below, if it was read while a socket was
// still closing) or the step's time is up; returns the last sample.
std::optional<std::int64_t> open_fds_back_to(ScenarioContext& context, std::optional<std::int64_t> baseline) {
  std::optional<std::int64_t> fds = context.server.open_fds();
  const TimePoint deadline = context.step_deadline();
  while (fds && *fds > *baseline && Clock::now() < deadline) {
    context.loop.run_for(kFdSampleInterval);
    fds = context.server.open_fds();
  }
  if (fds && *fds > *baseline) {
    context.checks.fail("the server has " + std::to_string(*fds) + " open files after everyone left, more than the " +
                        std::to_string(*baseline) + " it had after the warm-up");
  }
  return fds;
}

// The RSS at the end over the RSS after the warm-up, both with nobody connected; a failed check if it grew more than
// allowed.
std::optional<double> rss_ratio(ScenarioContext& context, std::optional<std::int64_t> start,
                                std::optional<std::int64_t> end, double max_growth_percent) {
  if (!start || !end) return std::nullopt;
  const double ratio = static_cast<double>(*end) / static_cast<double>(*start);
  if (ratio > 1 + max_growth_percent / 100) {
    context.checks.fail("the server's RSS grew from " + std::to_string(*start) + " KiB to " + std::to_string(*end) +
                        " KiB, more than " + std::to_string(max_growth_percent) + "%");
  }
  return ratio;
}

// A first run, as long as --warmup, that every client leaves: after it each server thread has met clients (it opens
// some files only then) and the allocator has its pools, so the readings taken next are the baseline.
std::int64_t warm_up(ScenarioContext& context, const SoakOptions& options) {
  SoakRun run(context, options, kFirstClientId);
  run.start();
  run.run_for(from_seconds(context.common.warmup_seconds));
  run.wind_down();
  return run.next_client_id();
}

}  // namespace

int run_soak_scenario(const CommonOptions& common, const SoakOptions& options) {
  ScenarioContext context(common);
  Report report("soak", common.label);
  report.add_count("concurrency", "clients connected at once", options.concurrency);
  report.add_count("broadcasts_per_client", "broadcasts a client stays for", options.broadcasts_per_client);

  const std::int64_t first_client_id = warm_up(context, options);
  SoakRun run(context, options, first_client_id);
  const std::optional<std::int64_t> fds_before = settled_open_fds(context);
  const std::optional<std::int64_t> rss_start = context.server.rss_kib();
  const TimePoint begin = Clock::now();
  run.start();
  run.run_for(from_seconds(options.seconds));
  const double seconds = to_seconds(Clock::now() - begin);
  run.wind_down();
  const std::optional<std::int64_t> fds_after = open_fds_back_to(context, fds_before);
  const std::optional<std::int64_t> rss_end = context.server.rss_kib();

  const DeliveryLedger& ledger = run.ledger();
  report.add_number("seconds", "soak after the warm-up (s)", seconds);
  report.add_count("clients", "clients churned", run.clients_churned());
  report.add_count("broadcasts", "broadcasts answered", ledger.broadcasts_answered());
  report.add_count("sent", "sum of their sent", ledger.clients_sent_to());
  report.add_count("deliveries", "deliveries checked", ledger.deliveries());
  report.add_count("certain_deliveries", "of them certain (none may be missing)", ledger.certain_deliveries());
  report.add_number("server_rss_start_kib", "server RSS, warm, nobody on (KiB)", as_number(rss_start));
  report.add_number("server_rss_end_kib", "server RSS at the end, all gone (KiB)", as_number(rss_end));
  report.add_number("server_rss_ratio", "server RSS end / start",
                    rss_ratio(context, rss_start, rss_end, options.max_rss_growth_percent));
  report.add_number("server_fds_before", "server open files, warm, nobody on", as_number(fds_before));
  report.add_number("server_fds_after", "server open files, all gone", as_number(fds_after));
  return report.publish(context.checks, std::cout, std::cerr);
}

}  // namespace loadgen
