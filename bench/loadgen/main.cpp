// wshub-loadgen: reads the command line, raises the open-file limit and runs the scenario asked for.
#include <sys/resource.h>

#include <csignal>
#include <exception>
#include <iostream>

#include <CLI/CLI.hpp>

#include "chat_messages.hpp"
#include "churn_scenario.hpp"
#include "common_options.hpp"
#include "echo_scenario.hpp"
#include "fanout_scenario.hpp"
#include "idle_scenario.hpp"
#include "send_scenario.hpp"
#include "soak_scenario.hpp"

namespace {

using namespace loadgen;

// Validators whose messages read well ("Value 0 not in range 1 to 1000000000").
const CLI::Range kCount(1, 1'000'000'000);
const CLI::Range kSeconds(0.001, 86'400.0);
const CLI::Range kSecondsOrZero(0.0, 86'400.0);
const CLI::Range kPercent(0.0, 1'000'000.0);

// Each client is a file descriptor, and the idle scenario wants nearly 20,000 of them.
void raise_open_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

// fanout, send and idle may spread their clients over the nodes of a cluster; the other scenarios drive one server.
enum class Servers { one, several };

void add_server_options(CLI::App& command, CommonOptions& options, Servers servers) {
  CLI::Option* port = command.add_option("--port", options.ports, "server port")->capture_default_str();
  CLI::Option* pid = command.add_option("--server-pid", options.server_pids,
                                        "server process, for its CPU time, memory and open files");
  if (servers == Servers::one) {
    for (CLI::Option* option : {port, pid}) option->expected(1)->multi_option_policy(CLI::MultiOptionPolicy::Throw);
    return;
  }
  port->description("server port; several (comma-separated or repeated): clients in turn, API requests to the first");
  pid->description("server process; several: CPU time, memory and open files summed over them");
  for (CLI::Option* option : {port, pid}) option->delimiter(',');
  command.add_option("--redis-pid", options.redis_pid,
                     "the cluster's Redis, for its CPU time (apart from the servers')");
}

void add_common_options(CLI::App& command, CommonOptions& options, Servers servers) {
  command.add_option("--host", options.host, "server address, IPv4")->capture_default_str();
  add_server_options(command, options, servers);
  command.add_option("--label", options.label, "the server's name in the outputs")->capture_default_str();
  CLI::Option* tls = command.add_flag("--tls", options.tls, "speak TLS to the servers (wss:// and https://)");
  command
      .add_option("--tls-ca-file", options.tls_options.ca_file,
                  "verify the servers' certificates with this CA (PEM); without it they are not checked")
      ->needs(tls)
      ->check(CLI::ExistingFile);
  command
      .add_flag("--tls-resume", options.tls_options.resume,
                "resume a session ticket the server gave on each new connection instead of a full handshake")
      ->needs(tls);
  command.add_option("--warmup", options.warmup_seconds, "seconds of load before measuring (all but idle)")
      ->capture_default_str()
      ->check(kSecondsOrZero);
  command.add_option("--timeout", options.timeout_seconds, "longest wait for any one step, seconds")
      ->capture_default_str()
      ->check(kSeconds);
}

void add_echo_command(CLI::App& app, CommonOptions& common, EchoOptions& options) {
  CLI::App* echo = app.add_subcommand("echo", "C connections keep K messages in flight; every echo is checked");
  add_common_options(*echo, common, Servers::one);
  echo->add_option("--connections", options.connections, "connections (C)")->capture_default_str()->check(kCount);
  echo->add_option("--in-flight", options.in_flight, "messages in flight per connection (K)")
      ->capture_default_str()
      ->check(kCount);
  echo->add_option("--payload", options.payload_bytes, "message size, bytes")->capture_default_str();
  echo->add_option("--seconds", options.seconds, "length of the measurement")->capture_default_str()->check(kSeconds);
  echo->add_flag("--deflate", options.deflate, "offer permessage-deflate as Chromium does");
  echo->add_flag("--chat", options.chat, "JSON chat messages from a word stream (--payload at least 128)");
}

void add_fanout_command(CLI::App& app, CommonOptions& common, FanoutOptions& options) {
  CLI::App* fanout = app.add_subcommand("fanout", "C idle clients; R broadcasts, each timed until all have it");
  add_common_options(*fanout, common, Servers::several);
  fanout->add_option("--clients", options.clients, "clients (C)")->capture_default_str()->check(kCount);
  fanout->add_option("--rounds", options.rounds, "broadcasts measured (R)")->capture_default_str()->check(kCount);
  fanout->add_option("--max-seconds", options.max_seconds, "start no round after this long; 0: no limit")
      ->capture_default_str()
      ->check(kSecondsOrZero);
  fanout->add_flag("--deflate", options.deflate, "offer permessage-deflate as Chromium does");
  fanout->add_flag("--chat", options.chat, "broadcast JSON chat messages from a word stream instead of round-N");
  fanout->add_option("--chat-bytes", options.chat_bytes, "size of each chat message, bytes")
      ->capture_default_str()
      ->check(CLI::Range(kMinChatMessageBytes, std::size_t{1} << 16));
}

void add_send_command(CLI::App& app, CommonOptions& common, SendOptions& options) {
  CLI::App* send =
      app.add_subcommand("send", "C idle clients; S targeted sends, K in flight, each timed until its client has it");
  add_common_options(*send, common, Servers::several);
  send->get_option("--port")->description(
      "server port; several (comma-separated or repeated): POSTs to the first, clients in turn on the others");
  send->add_option("--clients", options.clients, "clients (C)")->capture_default_str()->check(kCount);
  send->add_option("--sends", options.sends, "sends measured (S)")->capture_default_str()->check(kCount);
  send->add_option("--in-flight", options.in_flight, "requests in flight at once (K)")
      ->capture_default_str()
      ->check(kCount);
  send->add_option("--max-seconds", options.max_seconds, "start no send after this long; 0: no limit")
      ->capture_default_str()
      ->check(kSecondsOrZero);
}

void add_idle_command(CLI::App& app, CommonOptions& common, IdleOptions& options) {
  CLI::App* idle = app.add_subcommand("idle", "C idle clients: handshakes/s, memory and CPU per connection");
  add_common_options(*idle, common, Servers::several);
  idle->add_option("--clients", options.clients, "clients (C)")->capture_default_str()->check(kCount);
  idle->add_flag("--deflate", options.deflate, "offer permessage-deflate as Chromium does");
}

void add_churn_command(CLI::App& app, CommonOptions& common, ChurnOptions& options) {
  CLI::App* churn = app.add_subcommand("churn", "N loops of connect, upgrade, one echo, close handshake");
  add_common_options(*churn, common, Servers::one);
  churn->add_option("--concurrency", options.concurrency, "loops in parallel (N)")
      ->capture_default_str()
      ->check(kCount);
  churn->add_option("--seconds", options.seconds, "length of the measurement")->capture_default_str()->check(kSeconds);
}

void add_soak_command(CLI::App& app, CommonOptions& common, SoakOptions& options) {
  CLI::App* soak = app.add_subcommand(
      "soak", "clients come, echo and go while broadcasts go out back to back; every delivery, memory, open files");
  add_common_options(*soak, common, Servers::one);
  soak->add_option("--concurrency", options.concurrency, "clients connected at once")
      ->capture_default_str()
      ->check(kCount);
  soak->add_option("--broadcasts-per-client", options.broadcasts_per_client,
                   "broadcasts answered after a client's 101 before it leaves")
      ->capture_default_str()
      ->check(kCount);
  soak->add_option("--seconds", options.seconds, "length of the soak after the warm-up")
      ->capture_default_str()
      ->check(kSeconds);
  soak->add_option("--max-rss-growth-percent", options.max_rss_growth_percent,
                   "fail if the server's RSS (nobody connected) grows more than this over the soak")
      ->capture_default_str()
      ->check(kPercent);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("wshub-loadgen: load scenarios for WebSocket hubs; prints a table and one RESULT line of JSON");
  app.require_subcommand(1);
  CommonOptions common;
  EchoOptions echo_options;
  FanoutOptions fanout_options;
  IdleOptions idle_options;
  SendOptions send_options;
  ChurnOptions churn_options;
  SoakOptions soak_options;
  add_echo_command(app, common, echo_options);
  add_fanout_command(app, common, fanout_options);
  add_idle_command(app, common, idle_options);
  add_send_command(app, common, send_options);
  add_churn_command(app, common, churn_options);
  add_soak_command(app, common, soak_options);
  CLI11_PARSE(app, argc, argv);

  raise_open_file_limit();
  // OpenSSL writes with write(2), not send(2) with MSG_NOSIGNAL: a server gone first must be an error, not a signal.
  std::signal(SIGPIPE, SIG_IGN);
  try {
    if (app.got_subcommand("echo")) return run_echo_scenario(common, echo_options);
    if (app.got_subcommand("fanout")) return run_fanout_scenario(common, fanout_options);
    if (app.got_subcommand("idle")) return run_idle_scenario(common, idle_options);
    if (app.got_subcommand("send")) return run_send_scenario(common, send_options);
    if (app.got_subcommand("churn")) return run_churn_scenario(common, churn_options);
    // require_subcommand(1) leaves soak as the only other possibility.
    return run_soak_scenario(common, soak_options);
  } catch (const std::exception& error) {
    std::cerr << "wshub-loadgen: " << error.what() << '\n';
    return 1;
  }
}
