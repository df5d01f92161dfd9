// Reads wshub's settings: a flag wins over its environment variable, which wins over the default.
#include "config.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <stdexcept>
#include <thread>

#include <spdlog/fmt/fmt.h>
#include <CLI/CLI.hpp>

#include "logging.hpp"
#include "version.hpp"

namespace wshub {
namespace {

// Longer than any drain anyone plans, and far from the limits of the clocks' tick counts.
constexpr double max_seconds = 31'536'000;
constexpr unsigned max_threads = 1024;
constexpr long long max_byte_count = 1LL << 40;  // 1 TiB: more than any queue a server can hold

// The text of one setting and the name it was given under ("--port" or "PORT"), for error messages.
struct GivenValue {
  std::string name;
  std::string text;
};

class SettingError : public std::runtime_error {
 public:
  SettingError(GivenValue const& given, std::string_view expected)
      : std::runtime_error(fmt::format("invalid {} value \"{}\": expected {}", given.name, given.text, expected)) {}
};

// Reads a number as Python's int() and float() do for these settings: surrounding spaces and a leading '+'
// are fine, anything else around the digits is not.
template <typename Number>
std::optional<Number> parse_number(std::string_view text) {
  auto const first = text.find_first_not_of(" \t\n\r");
  if (first == std::string_view::npos) return std::nullopt;
  text = text.substr(first, text.find_last_not_of(" \t\n\r") - first + 1);
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

std::size_t parse_byte_count(GivenValue const& given) {
  auto const bytes = parse_number<long long>(given.text);
  if (!bytes || *bytes < 1 || *bytes > max_byte_count) {
    throw SettingError(given, fmt::format("a number of bytes from 1 to {}", max_byte_count));
  }
  return static_cast<std::size_t>(*bytes);
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
  bool const in_range =
      seconds && std::isfinite(*seconds) && *seconds <= max_seconds && (zero_allowed ? *seconds >= 0 : *seconds > 0);
  if (!in_range) {
    throw SettingError(
        given, fmt::format("a number of seconds {} {:.0f}", zero_allowed ? "from 0 to" : "above 0 up to", max_seconds));
  }
  return Seconds{*seconds};
}

spdlog::level::level_enum parse_level(GivenValue const& given) {
  auto const level = parse_log_level(given.text);
  if (!level) throw SettingError(given, "one of TRACE, DEBUG, INFO, WARNING, WARN, ERROR, CRITICAL, OFF");
  return *level;
}

std::string parse_host(GivenValue const& given) {
  if (given.text.empty()) throw SettingError(given, "an IP address or host name");
  return given.text;
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

template <typename Value, typename Parse>
void resolve(Value& target, Setting const& setting, EnvironmentLookup const& environment, Parse parse) {
  if (auto const given = setting.given(environment)) target = parse(*given);
}

class CommandLine {
 public:
  CommandLine() {
    app_.set_version_flag("--version", fmt::format("wshub {}", version));
    add(host_, "--host", "HOST", "ADDRESS", "address to listen on (default 127.0.0.1)");
    add(port_, "--port", "PORT", "PORT", "TCP port; 0 picks a free one (default 8000)");
    add(threads_, "--threads", "THREADS", "N", "I/O threads (default: the number of cores)");
    add(log_level_, "--log-level", "LOG_LEVEL", "LEVEL",
        "TRACE, DEBUG, INFO, WARNING, ERROR, CRITICAL or OFF (default INFO)");
    add(forced_, "--forced-shutdown-after-sec", "FORCED_SHUTDOWN_AFTER_SEC", "SECONDS",
        "longest wait for clients to leave after a signal; 0 closes them at once (default 1800)");
    add(progress_, "--progress-log-every-sec", "PROGRESS_LOG_EVERY_SEC", "SECONDS",
        "seconds between progress lines while draining (default 5)");
    add(backpressure_, "--max-backpressure-bytes", "MAX_BACKPRESSURE_BYTES", "BYTES",
        "bytes queued for one client before it is closed as a slow consumer (default 4194304)");
  }

  Config parse(std::vector<std::string> const& args, EnvironmentLookup const& environment) {
    // CLI11 takes its arguments last-first.
    std::vector<std::string> reversed(args.rbegin(), args.rend());
    app_.parse(reversed);
    Config config;
    config.threads = std::max(1U, std::thread::hardware_concurrency());
    resolve(config.host, host_, environment, parse_host);
    resolve(config.port, port_, environment, parse_port);
    resolve(config.threads, threads_, environment, parse_threads);
    resolve(config.log_level, log_level_, environment, parse_level);
    resolve(config.forced_shutdown_after, forced_, environment, [](auto const& g) { return parse_seconds(g, true); });
    resolve(config.progress_log_every, progress_, environment, [](auto const& g) { return parse_seconds(g, false); });
    resolve(config.max_backpressure_bytes, backpressure_, environment, parse_byte_count);
    return config;
  }

  // CLI11 ends its help with blank lines; the caller adds the one newline that belongs there.
  std::string help() const {
    std::string text = app_.help();
    while (text.ends_with('\n')) text.pop_back();
    return text;
  }

 private:
  void add(Setting& setting, std::string flag, std::string environment_name, std::string const& value_name,
           std::string const& description) {
    setting.option = app_.add_option(flag, setting.flag_text, description + " [env: " + environment_name + "]")
                         ->type_name(value_name);
    setting.flag = std::move(flag);
    setting.environment_name = std::move(environment_name);
  }

  CLI::App app_{
      "wshub: a WebSocket hub. Clients connect to /ws/{clientId}; GET /clients lists them and "
      "POST /broadcast-to-all sends them a message.",
      "wshub"};
  Setting host_, port_, threads_, log_level_, forced_, progress_, backpressure_;
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

std::optional<std::string> process_environment(std::string const& name) {
  char const* value = std::getenv(name.c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

}  // namespace wshub
