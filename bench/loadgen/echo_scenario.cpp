// The echo scenario: connections that each keep messages in flight, every echo checked byte for byte; it measures
// throughput, round trips and the server's CPU per message.
#include "echo_scenario.hpp"

#include <algorithm>
#include <cstdint>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chat_messages.hpp"
#include "client_crowd.hpp"
#include "latency_samples.hpp"
#include "report.hpp"
#include "scenario_context.hpp"

namespace loadgen {
namespace {

constexpr std::int64_t kFirstClientId = 1'000'000;
constexpr std::string_view kEchoPrefix = "Server echo: ";
constexpr std::size_t kSequenceDigits = 16;

// Payloads of one size that no two echoes share: letters after the message's sequence number in hex, or chat
// messages.
class PayloadMaker {
 public:
  PayloadMaker(std::size_t size, bool chat) {
    if (chat) chat_.emplace(size, kChatSeed, kChatStreamBytes);
    for (std::size_t i = 0; i < size; ++i) payload_.push_back(static_cast<char>('a' + i % 26));
  }

  // The view stays valid until the next call.
  std::string_view payload(std::uint64_t sequence) {
    if (chat_) return chat_->message(sequence);
    for (std::size_t i = std::min(kSequenceDigits, payload_.size()); i-- > 0; sequence >>= 4) {
      payload_[i] = "0123456789abcdef"[sequence & 0xF];
    }
    return payload_;
  }

 private:
  std::string payload_;
  std::optional<ChatMessages> chat_;
};

// One connection's traffic: how many messages went out and came back, and when each one in flight was sent.
struct Stream {
  std::uint64_t sent = 0;
  std::uint64_t received = 0;
  // A ring indexed by sequence number modulo the messages in flight.
  std::vector<TimePoint> sent_at;
};

class EchoLoad final : public WsHandler {
 public:
  EchoLoad(ClientCrowd& crowd, const EchoOptions& options, CheckLog& checks)
      : crowd_(crowd), in_flight_(options.in_flight), payloads_(options.payload_bytes, options.chat), checks_(checks) {
    streams_.resize(crowd.size(), Stream{.sent_at = std::vector<TimePoint>(in_flight_)});
  }

  void start() {
    const TimePoint now = Clock::now();
    for (std::size_t index = 0; index < crowd_.size(); ++index) {
      for (std::size_t message = 0; message < in_flight_; ++message) send_next(crowd_[index], now);
    }
  }

  void start_measuring() {
    measuring_ = true;
    round_trips_.clear();
    measured_messages_ = 0;
    bytes_before_ = crowd_.message_bytes();
  }
  void stop_measuring() {
    measuring_ = false;
    measured_bytes_ = crowd_.message_bytes() - bytes_before_;
  }

  std::size_t measured_messages() const { return measured_messages_; }
  // The text messages' bytes, each way, over the measured window.
  const MessageBytes& measured_bytes() const { return measured_bytes_; }
  LatencySamples& round_trips() { return round_trips_; }

 private:
  // Every client is open before the load starts.
  void on_open(WsConnection&) override {}

  void on_text(WsConnection& connection, std::string_view text, TimePoint received_at) override {
    Stream& stream = streams_[connection.index()];
    if (stream.received == stream.sent) {
      checks_.fail(client_name(connection) + " got a message it never sent: " + std::string(text.substr(0, 60)));
      return;
    }
    const std::uint64_t sequence = stream.received++;
    if (!is_echo_of(text, payloads_.payload(sequence))) {
      checks_.fail(client_name(connection) + ": echo " + std::to_string(sequence) +
                   " differs from what was sent: " + std::string(text.substr(0, 60)));
    }
    if (measuring_) {
      ++measured_messages_;
      round_trips_.add(received_at - stream.sent_at[sequence % in_flight_]);
    }
    send_next(connection, received_at);
  }

  void on_closed(WsConnection& connection, std::string_view failure) override {
    checks_.fail(client_name(connection) + ": " + std::string(failure));
  }

  // Messages go out when the echo that makes room for them has been read, so `now` is that read's time.
  void send_next(WsConnection& connection, TimePoint now) {
    Stream& stream = streams_[connection.index()];
    const std::uint64_t sequence = stream.sent++;
    stream.sent_at[sequence % in_flight_] = now;
    connection.send_text(payloads_.payload(sequence));
  }

  static bool is_echo_of(std::string_view text, std::string_view payload) {
    return text.size() == kEchoPrefix.size() + payload.size() && text.starts_with(kEchoPrefix) &&
           text.substr(kEchoPrefix.size()) == payload;
  }

  std::string client_name(const WsConnection& connection) const {
    return "client " + std::to_string(crowd_.client_id(connection.index()));
  }

  ClientCrowd& crowd_;
  const std::size_t in_flight_;
  PayloadMaker payloads_;
  CheckLog& checks_;
  std::vector<Stream> streams_;
  bool measuring_ = false;
  std::size_t measured_messages_ = 0;
  LatencySamples round_trips_;
  MessageBytes bytes_before_;
  MessageBytes measured_bytes_;
};

}  // namespace

int run_echo_scenario(const CommonOptions& common, const EchoOptions& options) {
  ScenarioContext context(common);
  Report report("echo", common.label);
  report.add_count("connections", "connections", options.connections);
  report.add_count("in_flight", "messages in flight per connection", options.in_flight);
  report.add_count("payload_bytes", "payload (bytes)", options.payload_bytes);
  report.add_count("chat_payloads", "chat messages (1) or letters (0)", options.chat ? 1 : 0);
  report.add_count("deflate_offered", "permessage-deflate offered (1) or not (0)", options.deflate ? 1 : 0);

  ClientCrowd crowd(context.loop, context.targets, options.connections, kFirstClientId, context.checks,
                    options.deflate ? Compression::offer_deflate : Compression::none);
  crowd.open_all(kMaxPendingHandshakes, context.step_deadline());
  if (!context.checks.passed()) return report.publish(context.checks, std::cout, std::cerr);

  EchoLoad load(crowd, options, context.checks);
  crowd.hand_over_to(load);
  load.start();
  context.loop.run_for(from_seconds(common.warmup_seconds));

  CpuWindow server_cpu(context.server);
  CpuWindow own_cpu(context.load_generator);
  server_cpu.start();
  own_cpu.start();
  load.start_measuring();
  const TimePoint begin = Clock::now();
  context.loop.run_for(from_seconds(options.seconds));
  const double seconds = to_seconds(Clock::now() - begin);
  load.stop_measuring();
  server_cpu.stop();
  own_cpu.stop();
  crowd.abort_all();

  const auto messages = static_cast<double>(load.measured_messages());
  report.add_count("deflate_connections", "connections compressed", crowd.compressed_count());
  report.add_number("seconds", "measured (s)", seconds);
  report.add_count("messages", "messages echoed", load.measured_messages());
  report.add_number("msgs_per_sec", "messages/s", messages / seconds);
  report.add_number("rtt_p50_us", "round trip p50 (us)", load.round_trips().percentile_us(0.50));
  report.add_number("rtt_p99_us", "round trip p99 (us)", load.round_trips().percentile_us(0.99));
  report.add_number("rtt_max_us", "round trip max (us)", load.round_trips().max_us());
  report.add_number("server_cpu_us_per_msg", "server CPU per message (us)", server_cpu.us_per(messages));
  report.add_number("loadgen_cpu_us_per_msg", "load generator CPU per message (us)", own_cpu.us_per(messages));
  report.add_number("server_wire_per_payload", "server's wire bytes per text byte",
                    load.measured_bytes().received_ratio());
  report.add_number("client_wire_per_payload", "our wire bytes per text byte", load.measured_bytes().sent_ratio());
  return report.publish(context.checks, std::cout, std::cerr);
}

}  // namespace loadgen
