// Reads wshub's settings: a flag wins over its environment variable, which wins over the default.
#include "app/config.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <ranges>
#include <stdexcept>
#include <thread>
#include <type_traits>

#include <spdlog/fmt/fmt.h>
#include <CLI/CLI.hpp>

#include "build_commit.hpp"
#include "ops/logging.hpp"
#include "protocol/routes.hpp"
#include "version.hpp"

namespace wshub {
namespace {

// Longer than any drain anyone plans, and far from the limits of the clocks' tick counts.
constexpr double max_seconds = 31'536'000;
constexpr double min_positive_seconds = 0.001;
constexpr unsigned max_threads = 1024;
constexpr long long max_byte_count = 1LL << 40;  // 1 TiB: more than any queue a server can hold
constexpr long long max_client_count = 1'000'000'000;
constexpr std::uint16_t default_sentinel_port = 26379;

// The text of one setting and the name it was given under ("--port" or "PORT"), for error messages.
struct GivenValue {
  std::string name;
  std::string text;
};

class SettingError : public std::runtime_error {
 public:
  SettingError(GivenValue const& given, std::string_view expected)
      : std::runtime_error(fmt::format("invalid {} value \"{}\": expected {}", given.name, given.text, expected)) {}

  // A setting that means nothing without another one.
  static SettingError without_partner(GivenValue const& given, std::string_view partner) {
    return SettingError(
        fmt::format("{} is set but {} is not: TLS needs both, plain HTTP neither", given.name, partner));
  }

  // For secrets: names the setting but never repeats its value, which would end up in logs.
  static SettingError without_value(GivenValue const& given, std::string_view expected) {
    return SettingError(fmt::format("invalid {} value: expected {}", given.name, expected));
  }

 private:
  explicit SettingError(std::string const& message) : std::runtime_error(message) {}
};

std::string_view trimmed(std::string_view text) {
  auto const first = text.find_first_not_of(" \t\n\r");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t\n\r") - first + 1);
}

// Reads a number as Python's int() and float() do for these settings: surrounding spaces and a leading '+'
// are fine, anything else around the digits is not.
template <typename Number>
std::optional<Number> parse_number(std::string_view text) {
  text = trimmed(text);
  if (text.starts_with('+') && !text.starts_with("+-")) text.remove_prefix(1);
  Number value{};
  auto const result = std::from_chars(text.data(), text.data() + text.size(), value);
  if (result.ec != std::errc{} || result.ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

std::uint16_t parse_port(GivenValue const& given) {
  auto const port = parse_number<long long>(given.text);
  if (!port || *port < 0 || *port > 65535) throw SettingError(given, "an integer from 0 to 65535");
  return static_cast<std::uint16_t>(*port);
}

std::size_t parse_bytes(GivenValue const& given, long long least) {
  auto const bytes = parse_number<long long>(given.text);
  if (!bytes || *bytes < least || *bytes > max_byte_count) {
    throw SettingError(given, fmt::format("a number of bytes from {} to {}", least, max_byte_count));
  }
  return static_cast<std::size_t>(*bytes);
}

std::size_t parse_byte_count(GivenValue const& given) {
  return parse_bytes(given, 1);
}

std::size_t parse_byte_count_or_zero(GivenValue const& given) {
  return parse_bytes(given, 0);
}

unsigned parse_threads(GivenValue const& given) {
  auto const threads = parse_number<long long>(given.text);
  if (!threads || *threads < 1 || *threads > max_threads) {
    throw SettingError(given, fmt::format("an integer from 1 to {}", max_threads));
  }
  return static_cast<unsigned>(*threads);
}

Seconds parse_seconds(GivenValue const& given, bool zero_allowed) {
  auto const seconds = parse_number<double>(given.text);
  // A millisecond at least: shorter intervals round to nothing on the timers and would fire in a busy loop.
  double const least = zero_allowed ? 0 : min_positive_seconds;
  bool const in_range = seconds && std::isfinite(*seconds) && *seconds <= max_seconds && *seconds >= least;
  if (!in_range) {
    throw SettingError(given, fmt::format("a number of seconds from {} to {:.0f}", least, max_seconds));
  }
  return Seconds{*seconds};
}

Seconds parse_positive_seconds(GivenValue const& given) {
  return parse_seconds(given, false);
}

Seconds parse_seconds_or_zero(GivenValue const& given) {
  return parse_seconds(given, true);
}

// A period of a second at least, or 0 where that is allowed.
Seconds parse_period(GivenValue const& given, bool zero_allowed) {
  auto const seconds = parse_number<double>(given.text);
  bool const in_range = seconds && std::isfinite(*seconds) &&
                        ((zero_allowed && *seconds == 0) || (*seconds >= 1 && *seconds <= max_seconds));
  if (!in_range) {
    throw SettingError(
        given, fmt::format("{}a number of seconds from 1 to {:.0f}", zero_allowed ? "0, or " : "", max_seconds));
  }
  return Seconds{*seconds};
}

// 0 (only on SIGHUP), or a second at least: each check is two stat(2) calls on the accept loop's thread.
Seconds parse_reload_check(GivenValue const& given) {
  return parse_period(given, true);
}

// A second at least, as the reload check.
Seconds parse_ticket_key_rotation(GivenValue const& given) {
  return parse_period(given, false);
}

spdlog::level::level_enum parse_level(GivenValue const& given) {
  auto const level = parse_log_level(given.text);
  if (!level) throw SettingError(given, "one of TRACE, DEBUG, INFO, WARNING, WARN, ERROR, CRITICAL, OFF");
  return *level;
}

LogFormat parse_format(GivenValue const& given) {
  auto const format = parse_log_format(given.text);
  if (!format) throw SettingError(given, "text or json");
  return *format;
}

DuplicatePolicy parse_duplicate_policy(GivenValue const& given) {
  std::string policy = given.text;
  std::ranges::transform(policy, policy.begin(), [](unsigned char c) { return std::tolower(c); });
  if (policy == "refuse") return DuplicatePolicy::refuse;
  if (policy == "replace") return DuplicatePolicy::replace;
  throw SettingError(given, "refuse or replace");
}

// The words click (and so uvicorn) takes for a boolean.
bool parse_switch(GivenValue const& given) {
  std::string word(trimmed(given.text));
  std::ranges::transform(word, word.begin(), [](unsigned char c) { return std::tolower(c); });
  if (word == "true" || word == "1" || word == "yes" || word == "on" || word == "t" || word == "y") return true;
  if (word == "false" || word == "0" || word == "no" || word == "off" || word == "f" || word == "n") return false;
  throw SettingError(given, "true or false");
}

int parse_deflate_level(GivenValue const& given) {
  auto const level = parse_number<long long>(given.text);
  if (!level || *level < 1 || *level > 9) throw SettingError(given, "an integer from 1 (fastest) to 9 (smallest)");
  return static_cast<int>(*level);
}

// A count from 0 up to max_client_count, `counted` naming what it counts in the refusal.
std::size_t parse_count(GivenValue const& given, std::string_view counted) {
  auto const count = parse_number<long long>(given.text);
  if (!count || *count < 0 || *count > max_client_count) {
    throw SettingError(given, fmt::format("a number of {} to {}", counted, max_client_count));
  }
  return static_cast<std::size_t>(*count);
}

std::size_t parse_connection_count(GivenValue const& given) {
  return parse_count(given, "connections from 0");
}

std::size_t parse_client_limit(GivenValue const& given) {
  return parse_count(given, "clients from 0 (no limit)");
}

// A bearer token (RFC 6750 allows visible ASCII). The error never repeats the value: it is a secret.
std::string parse_token(GivenValue const& given) {
  bool const visible = std::ranges::all_of(given.text, [](char c) { return c > ' ' && c < 0x7f; });
  if (given.text.empty() || !visible) {
    throw SettingError::without_value(given, "a non-empty token of visible ASCII characters (no spaces)");
  }
  return given.text;
}

// "https://example.com, http://localhost:8080": origins as browsers send them, compared case-insensitively.
std::vector<std::string> parse_origins(GivenValue const& given) {
  if (trimmed(given.text).empty()) throw SettingError(given, "a comma-separated list of origins, not an empty one");
  std::vector<std::string> origins;
  for (auto const part : std::views::split(std::string_view(given.text), ',')) {
    std::string origin(trimmed(std::string_view(part.begin(), part.end())));
    std::ranges::transform(origin, origin.begin(), [](unsigned char c) { return std::tolower(c); });
    auto const host_start = origin.find("://");
    bool const well_formed = host_start != std::string::npos && host_start > 0 && origin.size() > host_start + 3 &&
                             origin.find_first_of("/ ", host_start + 3) == std::string::npos;
    if (!well_formed) throw SettingError(given, "a comma-separated list of origins such as https://example.com");
    origins.push_back(std::move(origin));
  }
  return origins;
}

// Where the Swagger UI page goes: a path of its own, or nothing (empty turns the page off).
std::string parse_docs_url(GivenValue const& given) {
  if (given.text.empty()) return given.text;
  bool const visible =
      std::ranges::all_of(given.text, [](char c) { return c > ' ' && c < 0x7f && c != '?' && c != '#'; });
  if (!given.text.starts_with('/') || !visible) {
    throw SettingError(given, "a path starting with '/' (no spaces, '?' or '#'), or empty to turn the page off");
  }
  if (routes::is_fixed(given.text)) throw SettingError(given, "a path that no other route of wshub answers");
  return given.text;
}

// A file is read when the listener starts; its errors are named there.
std::string parse_file(GivenValue const& given) {
  if (given.text.empty()) throw SettingError(given, "the path of a PEM file");
  return given.text;
}

TlsVersion parse_tls_version(GivenValue const& given) {
  auto const text = trimmed(given.text);
  if (text == "1.2") return TlsVersion::v1_2;
  if (text == "1.3") return TlsVersion::v1_3;
  throw SettingError(given, "1.2 or 1.3");
}

std::string_view tls_version_name(TlsVersion version) {
  return version == TlsVersion::v1_3 ? "1.3" : "1.2";
}

std::string parse_host(GivenValue const& given) {
  if (given.text.empty()) throw SettingError(given, "an IP address or host name");
  return given.text;
}

// A refusal shows the URL with its password masked: the message goes to the terminal, and from there to logs.
RedisEndpoint parse_redis(GivenValue const& given) {
  GivenValue const shown{given.name, masked_url(given.text)};
  auto endpoint = parse_redis_url(given.text);
  if (!endpoint) {
    throw SettingError(shown,
                       "a URL such as redis://127.0.0.1:6379/0, redis://user:password@host:6379/0 or "
                       "rediss://host:6380/0 for TLS (redis[s]://[[USER]:PASSWORD@]HOST[:PORT][/DB])");
  }
  return *endpoint;
}

// Spaces after the commas are allowed: a host name never holds one.
std::vector<RedisAddress> parse_sentinels(GivenValue const& given) {
  std::string list = given.text;
  std::erase(list, ' ');
  auto addresses = parse_redis_addresses(list, default_sentinel_port);
  if (!addresses)
    throw SettingError(given, "HOST:PORT of each sentinel, separated by commas (the port 26379 if left out)");
  return *addresses;
}

// Whether the file is there and holds what it should is checked when the cluster starts, with OpenSSL's reason.
std::string parse_pem_file(GivenValue const& given) {
  if (given.text.empty()) throw SettingError(given, "the path of a PEM file");
  return given.text;
}

// Part of every Redis key and of the logs: printable, no spaces.
std::string parse_name(GivenValue const& given) {
  bool const printable = std::ranges::all_of(given.text, [](char c) { return c > ' ' && c < 0x7f; });
  if (given.text.empty() || given.text.size() > 200 || !printable) {
    throw SettingError(given, "1 to 200 visible ASCII characters (no spaces)");
  }
  return given.text;
}

std::chrono::milliseconds parse_milliseconds(GivenValue const& given) {
  auto const ms = parse_number<long long>(given.text);
  if (!ms || *ms < 1 || *ms > 3'600'000) throw SettingError(given, "a number of milliseconds from 1 to 3600000");
  return std::chrono::milliseconds(*ms);
}

// Settings give seconds as a number with a fraction; each options struct keeps a duration in its own clock's unit.
// The one conversion between the two.
template <typename Rep, typename Period>
double in_seconds(std::chrono::duration<Rep, Period> duration) {
  return Seconds(duration).count();
}

// Stores a parsed value in its options struct's field, converting seconds to the field's unit.
template <typename Field, typename Parsed>
void store(Field& field, Parsed parsed) {
  if constexpr (std::is_same_v<Field, Parsed>) {
    field = std::move(parsed);
  } else {
    field = std::chrono::duration_cast<Field>(parsed);
  }
}

std::string log_level_name(spdlog::level::level_enum level) {
  auto const name = spdlog::level::to_string_view(level);
  std::string upper(name.data(), name.size());
  std::ranges::transform(upper, upper.begin(), [](unsigned char c) { return std::toupper(c); });
  return upper;
}

std::string_view log_format_name(LogFormat format) {
  return format == LogFormat::json ? "json" : "text";
}

std::string_view duplicate_policy_name(DuplicatePolicy policy) {
  return policy == DuplicatePolicy::replace ? "replace" : "refuse";
}

std::string client_limit_text(std::size_t max_clients) {
  return max_clients == 0 ? "0: no limit" : std::to_string(max_clients);
}

// One setting as declared on the command line, resolved against the environment after parsing.
struct Setting {
  std::string flag;
  std::string environment_name;
  std::string flag_text;
  CLI::Option* option = nullptr;

  std::optional<GivenValue> given(EnvironmentLookup const& environment) const {
    if (option->count() > 0) return GivenValue{flag, flag_text};
    if (auto text = environment(environment_name)) return GivenValue{environment_name, *text};
    return std::nullopt;
  }
};

// Returns whether the setting was given; if not, the field keeps its options struct's default.
template <typename Field, typename Parse>
bool resolve(Field& field, Setting const& setting, EnvironmentLookup const& environment, Parse parse) {
  auto const given = setting.given(environment);
  if (given) store(field, parse(*given));
  return given.has_value();
}

class CommandLine {
 public:
  CommandLine() {
    Config const defaults;
    ClusterOptions const cluster;
    app_.set_version_flag("--version", fmt::format("wshub {} (commit {})", version, build_commit));
    add(host_, "--host", "HOST", "ADDRESS", fmt::format("address to listen on (default {})", defaults.listener.host));
    add(port_, "--port", "PORT", "PORT",
        fmt::format("TCP port; 0 picks a free one (default {})", defaults.listener.port));
    add(tls_cert_, "--tls-cert-file", "TLS_CERT_FILE", "FILE",
        "PEM certificate chain; with --tls-key-file the port speaks TLS only, https:// and wss:// (default: unset, "
        "plain HTTP)");
    add(tls_key_, "--tls-key-file", "TLS_KEY_FILE", "FILE",
        "PEM private key of --tls-cert-file (default: unset, plain HTTP)");
    add(tls_min_version_, "--tls-min-version", "TLS_MIN_VERSION", "VERSION",
        fmt::format("oldest TLS version a client may use: 1.2 or 1.3 (default {})",
                    tls_version_name(TlsOptions{}.min_version)));
    add(tls_reload_check_, "--tls-reload-check-sec", "TLS_RELOAD_CHECK_SEC", "SECONDS",
        fmt::format("how often the TLS certificate and key files are checked for a change, which reloads them for "
                    "new connections as SIGHUP does; 0: only on SIGHUP, else at least 1 (default {})",
                    in_seconds(TlsOptions{}.reload_check)));
    add(tls_ticket_rotation_, "--tls-ticket-key-rotation-sec", "TLS_TICKET_KEY_ROTATION_SEC", "SECONDS",
        fmt::format("how long a session ticket key seals new tickets; it opens them as long again, then is erased; "
                    "at least 1 (default {})",
                    in_seconds(TlsOptions{}.ticket_key_rotation)));
    add(threads_, "--threads", "THREADS", "N", "I/O threads (default: the number of cores)");
    add(log_level_, "--log-level", "LOG_LEVEL", "LEVEL",
        fmt::format("TRACE, DEBUG, INFO, WARNING, ERROR, CRITICAL or OFF (default {})",
                    log_level_name(defaults.logging.level)));
    add(log_format_, "--log-format", "LOG_FORMAT", "FORMAT",
        fmt::format("text, or json for one JSON object a line with the fields of each event (default {})",
                    log_format_name(defaults.logging.format)));
    add(forced_, "--forced-shutdown-after-sec", "FORCED_SHUTDOWN_AFTER_SEC", "SECONDS",
        fmt::format("longest wait for clients to leave after a signal; 0 closes them at once (default {})",
                    in_seconds(defaults.shutdown.forced_shutdown_after)));
    add(progress_, "--progress-log-every-sec", "PROGRESS_LOG_EVERY_SEC", "SECONDS",
        fmt::format("seconds between progress lines while draining (default {})",
                    in_seconds(defaults.shutdown.progress_log_every)));
    add(backpressure_, "--max-backpressure-bytes", "MAX_BACKPRESSURE_BYTES", "BYTES",
        fmt::format("bytes queued for one client; over it, nothing more is read from it and it is closed as a slow "
                    "consumer at the next broadcast or keepalive tick (default {})",
                    defaults.websocket.max_backpressure_bytes));
    add(ping_interval_, "--ping-interval-sec", "PING_INTERVAL_SEC", "SECONDS",
        fmt::format("seconds a client may be silent before it is pinged (default {})",
                    in_seconds(defaults.websocket.ping_interval)));
    add(idle_timeout_, "--idle-timeout-sec", "IDLE_TIMEOUT_SEC", "SECONDS",
        fmt::format("seconds a client may be silent, pings unanswered, before it is dropped (default {})",
                    in_seconds(defaults.websocket.idle_timeout)));
    add(max_clients_, "--max-clients", "MAX_CLIENTS", "N",
        fmt::format("connected clients at most; one more is closed with 1013 (default {})",
                    client_limit_text(defaults.hub.max_clients)));
    add(duplicate_policy_, "--duplicate-policy", "DUPLICATE_POLICY", "POLICY",
        fmt::format("a second connection with a connected id: refuse closes the newcomer with 1008, replace closes "
                    "the older one with 4000 (default {})",
                    duplicate_policy_name(defaults.hub.duplicate_policy)));
    add(max_message_, "--max-message-bytes", "MAX_MESSAGE_BYTES", "BYTES",
        fmt::format("largest message a client may send; a larger one closes it with 1009 (default {})",
                    defaults.websocket.max_message_bytes));
    add(deflate_, "--ws-per-message-deflate", "WS_PER_MESSAGE_DEFLATE", "BOOL",
        fmt::format("compress messages (permessage-deflate) for clients that offer it, as browsers do (default {})",
                    defaults.websocket.deflate.enabled));
    add(deflate_level_, "--ws-deflate-level", "WS_DEFLATE_LEVEL", "LEVEL",
        fmt::format("compression level from 1 (least CPU) to 9 (fewest bytes) (default {})",
                    defaults.websocket.deflate.level));
    add(deflate_min_, "--ws-deflate-min-bytes", "WS_DEFLATE_MIN_BYTES", "BYTES",
        fmt::format("messages shorter than this go out uncompressed (default {})",
                    defaults.websocket.deflate.min_message_bytes));
    add(deflate_contexts_, "--ws-deflate-contexts", "WS_DEFLATE_CONTEXTS", "COUNT",
        fmt::format("at most this many busy connections keep their compression history between messages, about 86 KiB "
                    "each; 0: none (default {})",
                    defaults.websocket.deflate.max_context_deflaters));
    add(max_body_, "--max-body-bytes", "MAX_BODY_BYTES", "BYTES",
        fmt::format("largest HTTP request body; a larger one gets 413 (default {})",
                    defaults.http.limits.max_body_bytes));
    add(max_header_, "--max-header-bytes", "MAX_HEADER_BYTES", "BYTES",
        fmt::format("largest HTTP request line and headers, and the most a chunked body's extensions (together) or "
                    "trailers may take; larger gets 431 (default {})",
                    defaults.http.limits.max_header_bytes));
    add(request_timeout_, "--request-timeout-sec", "REQUEST_TIMEOUT_SEC", "SECONDS",
        fmt::format("seconds a client may take to send an HTTP request or WebSocket handshake (default {})",
                    in_seconds(defaults.http.request_timeout)));
    add(api_token_, "--api-token", "API_TOKEN", "TOKEN",
        "when set, /clients, /clients/{clientId}, /broadcast-to-all and /send-to-clients require "
        "\"Authorization: Bearer TOKEN\" (default: open)");
    add(metrics_token_, "--metrics-token", "METRICS_TOKEN", "TOKEN",
        "when set, /metrics requires \"Authorization: Bearer TOKEN\" (default: open)");
    add(allowed_origins_, "--allowed-origins", "ALLOWED_ORIGINS", "ORIGINS",
        "comma-separated origins that may open a WebSocket; others get 403 (default: any)");
    add(docs_url_, "--docs-url", "DOCS_URL", "PATH",
        fmt::format("path of the Swagger UI page; empty turns it off (default {})", defaults.api.docs_url));
    add(redis_url_, "--redis-url", "REDIS_URL", "URL",
        "redis://[[USER]:PASSWORD@]HOST[:PORT][/DB], rediss:// for TLS (user and password %-encoded): join the "
        "cluster on this Redis, with AUTH when a password is given (default: unset, a single node)");
    add(redis_tls_ca_, "--redis-tls-ca-file", "REDIS_TLS_CA_FILE", "FILE",
        "with rediss://: PEM CA certificates that Redis's certificate must chain to (default: the system's trust "
        "store)");
    add(redis_tls_cert_, "--redis-tls-cert-file", "REDIS_TLS_CERT_FILE", "FILE",
        "with rediss://: a client certificate (PEM) for a Redis that asks for one; needs --redis-tls-key-file "
        "(default: none)");
    add(redis_tls_key_, "--redis-tls-key-file", "REDIS_TLS_KEY_FILE", "FILE",
        "with rediss://: the client certificate's private key (PEM) (default: none)");
    add(redis_tls_insecure_, "--redis-tls-insecure", "REDIS_TLS_INSECURE", "BOOL",
        fmt::format("with rediss://: verify neither Redis's certificate nor its host name, for self-signed test "
                    "setups; logged as a WARNING (default {})",
                    cluster.redis_tls.insecure));
    add(redis_sentinels_, "--redis-sentinels", "REDIS_SENTINELS", "ADDRESSES",
        "HOST:PORT,... of Redis Sentinels: ask them for the primary of --redis-master-name and follow its failovers; "
        "REDIS_URL then gives only the credentials, database and TLS (default: unset, REDIS_URL's host is the "
        "primary)");
    add(redis_master_name_, "--redis-master-name", "REDIS_MASTER_NAME", "NAME",
        "with --redis-sentinels: the name the sentinels monitor the primary by");
    add(redis_sentinel_password_, "--redis-sentinel-password", "REDIS_SENTINEL_PASSWORD", "PASSWORD",
        "with --redis-sentinels: the sentinels' own password, if they have one (default: none)");
    add(redis_outbox_, "--redis-outbox-bytes", "REDIS_OUTBOX_BYTES", "BYTES",
        fmt::format("the most this node's broadcasts not yet safe in Redis (cut off, or not on a replica yet) may "
                    "take, kept to be published again (default {})",
                    cluster.outbox_bytes));
    add(cluster_name_, "--cluster-name", "CLUSTER_NAME", "NAME",
        fmt::format("the cluster's name, the prefix of its Redis keys (default {})", cluster.cluster_name));
    add(node_id_, "--node-id", "NODE_ID", "ID", "this node's name in the cluster (default HOSTNAME:PORT)");
    add(cluster_timeout_, "--cluster-timeout-ms", "CLUSTER_TIMEOUT_MS", "MS",
        fmt::format("longest wait for the other nodes' counts of a broadcast (default {})",
                    cluster.count_timeout.count()));
    add(redis_timeout_, "--redis-timeout-ms", "REDIS_TIMEOUT_MS", "MS",
        fmt::format("longest wait for Redis's reply to a command; no reply by then: Redis is down (default {})",
                    cluster.redis_timeout.count()));
    add(node_timeout_, "--node-timeout-sec", "NODE_TIMEOUT_SEC", "SECONDS",
        fmt::format("a node silent this long is dead and its client ids are free (default {})",
                    in_seconds(cluster.node_timeout)));
    add(redis_replay_, "--redis-replay-sec", "REDIS_REPLAY_SEC", "SECONDS",
        fmt::format("broadcasts kept in Redis for a node that reconnects (default {})",
                    in_seconds(cluster.replay_window)));
  }

  Config parse(std::vector<std::string> const& args, EnvironmentLookup const& environment) {
    // CLI11 takes its arguments last-first.
    std::vector<std::string> reversed(args.rbegin(), args.rend());
    app_.parse(reversed);
    Config config;
    resolve(config.listener.host, host_, environment, parse_host);
    resolve(config.listener.port, port_, environment, parse_port);
    config.listener.tls = parse_tls(environment);
    resolve(config.threads, threads_, environment, parse_threads);
    resolve(config.logging.level, log_level_, environment, parse_level);
    resolve(config.logging.format, log_format_, environment, parse_format);
    resolve(config.shutdown.forced_shutdown_after, forced_, environment, parse_seconds_or_zero);
    resolve(config.shutdown.progress_log_every, progress_, environment, parse_positive_seconds);
    resolve(config.websocket.max_backpressure_bytes, backpressure_, environment, parse_byte_count);
    resolve(config.websocket.ping_interval, ping_interval_, environment, parse_positive_seconds);
    resolve(config.websocket.idle_timeout, idle_timeout_, environment, parse_positive_seconds);
    resolve(config.hub.max_clients, max_clients_, environment, parse_client_limit);
    resolve(config.hub.duplicate_policy, duplicate_policy_, environment, parse_duplicate_policy);
    resolve(config.websocket.max_message_bytes, max_message_, environment, parse_byte_count);
    resolve(config.websocket.deflate.enabled, deflate_, environment, parse_switch);
    resolve(config.websocket.deflate.level, deflate_level_, environment, parse_deflate_level);
    resolve(config.websocket.deflate.min_message_bytes, deflate_min_, environment, parse_byte_count_or_zero);
    resolve(config.websocket.deflate.max_context_deflaters, deflate_contexts_, environment, parse_connection_count);
    resolve(config.http.limits.max_body_bytes, max_body_, environment, parse_byte_count);
    resolve(config.http.limits.max_header_bytes, max_header_, environment, parse_byte_count);
    resolve(config.http.request_timeout, request_timeout_, environment, parse_positive_seconds);
    resolve(config.api.api_token, api_token_, environment, parse_token);
    resolve(config.api.metrics_token, metrics_token_, environment, parse_token);
    resolve(config.http.allowed_origins, allowed_origins_, environment, parse_origins);
    resolve(config.api.docs_url, docs_url_, environment, parse_docs_url);
    config.cluster = parse_cluster(environment);
    check_idle_timeout(config.websocket, environment);
    return config;
  }

  // Pings go out after ping_interval of silence; an idle timeout no longer than that would drop clients unpinged.
  void check_idle_timeout(WebSocketOptions const& options, EnvironmentLookup const& environment) const {
    if (options.idle_timeout > options.ping_interval) return;
    auto const default_text = fmt::format("{}", in_seconds(WebSocketOptions{}.idle_timeout));
    auto const given = idle_timeout_.given(environment).value_or(GivenValue{idle_timeout_.flag, default_text});
    throw SettingError(given,
                       fmt::format("more seconds than the ping interval ({} s)", in_seconds(options.ping_interval)));
  }

  // CLI11 ends its help with blank lines; the caller adds the one newline that belongs there.
  std::string help() const {
    std::string text = app_.help();
    while (text.ends_with('\n')) text.pop_back();
    return text;
  }

 private:
  // Both files or neither; the minimum version is checked even without them, so that a typo shows at once.
  std::optional<TlsOptions> parse_tls(EnvironmentLookup const& environment) const {
    TlsOptions tls;
    bool const has_cert = resolve(tls.cert_file, tls_cert_, environment, parse_file);
    bool const has_key = resolve(tls.key_file, tls_key_, environment, parse_file);
    resolve(tls.min_version, tls_min_version_, environment, parse_tls_version);
    resolve(tls.reload_check, tls_reload_check_, environment, parse_reload_check);
    resolve(tls.ticket_key_rotation, tls_ticket_rotation_, environment, parse_ticket_key_rotation);
    if (has_cert && !has_key)
      throw SettingError::without_partner(*tls_cert_.given(environment), "--tls-key-file/TLS_KEY_FILE");
    if (has_key && !has_cert)
      throw SettingError::without_partner(*tls_key_.given(environment), "--tls-cert-file/TLS_CERT_FILE");
    if (!has_cert) return std::nullopt;
    return tls;
  }

  // The cluster's settings are checked even without a Redis URL, so that a typo shows before the cluster is used.
  std::optional<ClusterOptions> parse_cluster(EnvironmentLookup const& environment) const {
    ClusterOptions cluster;
    bool const clustered = resolve(cluster.redis, redis_url_, environment, parse_redis);
    resolve(cluster.redis_tls.ca_file, redis_tls_ca_, environment, parse_pem_file);
    resolve(cluster.redis_tls.cert_file, redis_tls_cert_, environment, parse_pem_file);
    resolve(cluster.redis_tls.key_file, redis_tls_key_, environment, parse_pem_file);
    resolve(cluster.redis_tls.insecure, redis_tls_insecure_, environment, parse_switch);
    check_redis_tls(cluster, clustered, environment);
    resolve_sentinel(cluster, clustered, environment);
    resolve(cluster.outbox_bytes, redis_outbox_, environment, parse_byte_count);
    resolve(cluster.cluster_name, cluster_name_, environment, parse_name);
    resolve(cluster.node_id, node_id_, environment, parse_name);
    resolve(cluster.count_timeout, cluster_timeout_, environment, parse_milliseconds);
    resolve(cluster.redis_timeout, redis_timeout_, environment, parse_milliseconds);
    resolve(cluster.node_timeout, node_timeout_, environment, parse_positive_seconds);
    resolve(cluster.replay_window, redis_replay_, environment, parse_positive_seconds);
    if (!clustered) return std::nullopt;
    return cluster;
  }

  // The sentinels, the name and the password go together, and with a REDIS_URL for the credentials and database.
  void resolve_sentinel(ClusterOptions& cluster, bool clustered, EnvironmentLookup const& environment) const {
    auto& sentinel = cluster.sentinel;
    bool const has_sentinels = resolve(sentinel.sentinels, redis_sentinels_, environment, parse_sentinels);
    bool const has_name = resolve(sentinel.master_name, redis_master_name_, environment, parse_name);
    auto const password = redis_sentinel_password_.given(environment);
    if (password && password->text.empty()) throw SettingError::without_value(*password, "a password (unset: none)");
    if (password) sentinel.password = password->text;
    if (has_sentinels) {
      auto const given = *redis_sentinels_.given(environment);
      if (!clustered) throw SettingError(given, "a REDIS_URL as well, for the credentials and the database");
      if (!has_name) throw SettingError(given, "--redis-master-name / REDIS_MASTER_NAME as well");
      return;
    }
    if (has_name)
      throw SettingError(*redis_master_name_.given(environment), "--redis-sentinels / REDIS_SENTINELS as well");
    if (password) throw SettingError::without_value(*password, "--redis-sentinels / REDIS_SENTINELS as well");
  }

  // TLS settings beside a redis:// URL would do nothing: most likely the URL lacks its s.
  void check_redis_tls(ClusterOptions const& cluster, bool clustered, EnvironmentLookup const& environment) const {
    auto const ca = redis_tls_ca_.given(environment);
    auto const cert = redis_tls_cert_.given(environment);
    auto const key = redis_tls_key_.given(environment);
    auto const insecure = cluster.redis_tls.insecure ? redis_tls_insecure_.given(environment) : std::nullopt;
    for (auto const& given : {ca, cert, key, insecure}) {
      if (given && clustered && !cluster.redis.tls) {
        throw SettingError(*given, "a rediss:// REDIS_URL to apply to (REDIS_URL is redis://, without TLS)");
      }
    }
    if (cert && !key) throw SettingError(*cert, "its key in --redis-tls-key-file / REDIS_TLS_KEY_FILE as well");
    if (key && !cert)
      throw SettingError(*key, "its certificate in --redis-tls-cert-file / REDIS_TLS_CERT_FILE as well");
  }

  void add(Setting& setting, std::string flag, std::string environment_name, std::string const& value_name,
           std::string const& description) {
    setting.option = app_.add_option(flag, setting.flag_text, description + " [env: " + environment_name + "]")
                         ->type_name(value_name);
    setting.flag = std::move(flag);
    setting.environment_name = std::move(environment_name);
  }

  CLI::App app_{
      "wshub: a WebSocket hub. Clients connect to /ws/{clientId}; GET /clients lists them, "
      "POST /broadcast-to-all sends them a message, /clients/{clientId} reaches one of them.",
      "wshub"};
  Setting tls_cert_, tls_key_, tls_min_version_, tls_reload_check_, tls_ticket_rotation_;
  Setting host_, port_, threads_, log_level_, log_format_, forced_, progress_, backpressure_;
  Setting ping_interval_, idle_timeout_, max_clients_, duplicate_policy_, max_message_, max_body_, max_header_,
      request_timeout_;
  Setting deflate_, deflate_level_, deflate_min_, deflate_contexts_;
  Setting api_token_, metrics_token_, allowed_origins_, docs_url_;
  Setting redis_url_, cluster_name_, node_id_, cluster_timeout_, redis_timeout_, node_timeout_, redis_replay_;
  Setting redis_tls_ca_, redis_tls_cert_, redis_tls_key_, redis_tls_insecure_;
  Setting redis_sentinels_, redis_master_name_, redis_sentinel_password_, redis_outbox_;
};

}  // namespace

StartupDecision read_config(std::vector<std::string> const& args, EnvironmentLookup const& environment) {
  CommandLine command_line;
  try {
    return {.config = command_line.parse(args, environment), .exit_code = 0, .message = {}};
  } catch (CLI::CallForHelp const&) {
    return {.config = std::nullopt, .exit_code = 0, .message = command_line.help()};
  } catch (CLI::CallForVersion const& request) {
    return {.config = std::nullopt, .exit_code = 0, .message = request.what()};
  } catch (CLI::ParseError const& error) {
    return {.config = std::nullopt, .exit_code = 2, .message = fmt::format("wshub: {} (see --help)", error.what())};
  } catch (SettingError const& error) {
    return {.config = std::nullopt, .exit_code = 2, .message = fmt::format("wshub: {}", error.what())};
  }
}

unsigned default_thread_count() {
  return std::max(1U, std::thread::hardware_concurrency());
}

std::optional<std::string> process_environment(std::string const& name) {
  char const* value = std::getenv(name.c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

}  // namespace wshub
