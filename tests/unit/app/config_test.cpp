// Tests reading settings from flags, environment and defaults, and refusing bad values.
#include "app/config.hpp"

#include <map>

#include <gtest/gtest.h>

#include "build_commit.hpp"
#include "version.hpp"

namespace wshub {
namespace {

using Environment = std::map<std::string, std::string>;

StartupDecision read(std::vector<std::string> const& args, Environment const& environment = {}) {
  return read_config(args, [&environment](std::string const& name) -> std::optional<std::string> {
    auto const found = environment.find(name);
    if (found == environment.end()) return std::nullopt;
    return found->second;
  });
}

Config read_ok(std::vector<std::string> const& args, Environment const& environment = {}) {
  auto const decision = read(args, environment);
  EXPECT_EQ(decision.exit_code, 0) << decision.message;
  EXPECT_TRUE(decision.config.has_value());
  return decision.config.value_or(Config{});
}

void expect_refused(std::vector<std::string> const& args, Environment const& environment, std::string const& name,
                    std::string const& value) {
  auto const decision = read(args, environment);
  EXPECT_FALSE(decision.config.has_value());
  EXPECT_EQ(decision.exit_code, 2);
  EXPECT_NE(decision.message.find(name), std::string::npos) << decision.message;
  EXPECT_NE(decision.message.find('"' + value + '"'), std::string::npos) << decision.message;
  EXPECT_EQ(decision.message.find('\n'), std::string::npos) << "one line: " << decision.message;
}

TEST(Config, DefaultsMatchTheSeedService) {
  Config const config = read_ok({});
  EXPECT_EQ(config.host, "127.0.0.1");
  EXPECT_EQ(config.port, 8000);
  EXPECT_GE(config.threads, 1U);
  EXPECT_EQ(config.log_level, spdlog::level::info);
  EXPECT_DOUBLE_EQ(config.forced_shutdown_after.count(), 1800);
  EXPECT_DOUBLE_EQ(config.progress_log_every.count(), 5);
}

TEST(Config, LimitsAndKeepaliveHaveDocumentedDefaults) {
  Config const config = read_ok({});
  EXPECT_DOUBLE_EQ(config.ping_interval.count(), 25);
  EXPECT_DOUBLE_EQ(config.idle_timeout.count(), 60);
  EXPECT_EQ(config.max_clients, 0U);
  EXPECT_EQ(config.max_message_bytes, 16U * 1024 * 1024);
  EXPECT_EQ(config.max_body_bytes, 16U * 1024 * 1024);
  EXPECT_EQ(config.max_header_bytes, 8U * 1024);
  EXPECT_DOUBLE_EQ(config.request_timeout.count(), 10);
  EXPECT_TRUE(config.api_token.empty());
  EXPECT_TRUE(config.metrics_token.empty());
  EXPECT_TRUE(config.allowed_origins.empty());
}

TEST(Config, ReadsLimitsAndAccessControlFromFlagsAndEnvironment) {
  Config const config = read_ok({"--ping-interval-sec", "1.5", "--max-clients", "100", "--max-body-bytes", "1024",
                                 "--api-token", "abc", "--allowed-origins", " https://A.example , http://b:8080"},
                                {{"IDLE_TIMEOUT_SEC", "3"},
                                 {"MAX_MESSAGE_BYTES", "2048"},
                                 {"MAX_HEADER_BYTES", "4096"},
                                 {"REQUEST_TIMEOUT_SEC", "2"},
                                 {"METRICS_TOKEN", "m-token"}});
  EXPECT_DOUBLE_EQ(config.ping_interval.count(), 1.5);
  EXPECT_DOUBLE_EQ(config.idle_timeout.count(), 3);
  EXPECT_EQ(config.max_clients, 100U);
  EXPECT_EQ(config.max_message_bytes, 2048U);
  EXPECT_EQ(config.max_body_bytes, 1024U);
  EXPECT_EQ(config.max_header_bytes, 4096U);
  EXPECT_DOUBLE_EQ(config.request_timeout.count(), 2);
  EXPECT_EQ(config.api_token, "abc");
  EXPECT_EQ(config.metrics_token, "m-token");
  EXPECT_EQ(config.allowed_origins, (std::vector<std::string>{"https://a.example", "http://b:8080"}));
}

TEST(Config, RefusesBadLimitsNamingTheSetting) {
  expect_refused({}, {{"MAX_CLIENTS", "-1"}}, "MAX_CLIENTS", "-1");
  expect_refused({"--max-message-bytes", "0"}, {}, "--max-message-bytes", "0");
  expect_refused({}, {{"MAX_BODY_BYTES", "lots"}}, "MAX_BODY_BYTES", "lots");
  expect_refused({}, {{"REQUEST_TIMEOUT_SEC", "0"}}, "REQUEST_TIMEOUT_SEC", "0");
  expect_refused({}, {{"PING_INTERVAL_SEC", "0"}}, "PING_INTERVAL_SEC", "0");
  expect_refused({}, {{"PING_INTERVAL_SEC", "1e-12"}}, "PING_INTERVAL_SEC", "1e-12");
  expect_refused({}, {{"ALLOWED_ORIGINS", ""}}, "ALLOWED_ORIGINS", "");
  expect_refused({}, {{"ALLOWED_ORIGINS", "example.com"}}, "ALLOWED_ORIGINS", "example.com");
  expect_refused({"--allowed-origins", "https://a.example,"}, {}, "--allowed-origins", "https://a.example,");
}

TEST(Config, TheIdleTimeoutMustOutlastThePingInterval) {
  expect_refused({"--idle-timeout-sec", "25"}, {}, "--idle-timeout-sec", "25");
  expect_refused({"--ping-interval-sec", "90"}, {}, "--idle-timeout-sec", "60");
}

TEST(Config, ABadTokenIsRefusedWithoutRepeatingIt) {
  auto const decision = read({}, {{"API_TOKEN", "has space"}});
  EXPECT_EQ(decision.exit_code, 2);
  EXPECT_NE(decision.message.find("API_TOKEN"), std::string::npos) << decision.message;
  EXPECT_EQ(decision.message.find("has space"), std::string::npos) << decision.message;
  EXPECT_EQ(read({"--metrics-token", ""}).exit_code, 2);
}

TEST(Config, ReadsEveryFlag) {
  Config const config = read_ok({"--host", "0.0.0.0", "--port", "0", "--threads", "3", "--log-level", "debug",
                                 "--forced-shutdown-after-sec", "0.5", "--progress-log-every-sec=0.25"});
  EXPECT_EQ(config.host, "0.0.0.0");
  EXPECT_EQ(config.port, 0);
  EXPECT_EQ(config.threads, 3U);
  EXPECT_EQ(config.log_level, spdlog::level::debug);
  EXPECT_DOUBLE_EQ(config.forced_shutdown_after.count(), 0.5);
  EXPECT_DOUBLE_EQ(config.progress_log_every.count(), 0.25);
}

TEST(Config, ReadsEveryEnvironmentVariable) {
  Config const config = read_ok({}, {{"HOST", "::1"},
                                     {"PORT", "65535"},
                                     {"THREADS", "1"},
                                     {"LOG_LEVEL", "WARNING"},
                                     {"FORCED_SHUTDOWN_AFTER_SEC", "0"},
                                     {"PROGRESS_LOG_EVERY_SEC", "30"}});
  EXPECT_EQ(config.host, "::1");
  EXPECT_EQ(config.port, 65535);
  EXPECT_EQ(config.threads, 1U);
  EXPECT_EQ(config.log_level, spdlog::level::warn);
  EXPECT_DOUBLE_EQ(config.forced_shutdown_after.count(), 0);
  EXPECT_DOUBLE_EQ(config.progress_log_every.count(), 30);
}

TEST(Config, FlagsWinOverEnvironment) {
  Config const config = read_ok({"--port", "9000", "--log-level", "error"}, {{"PORT", "7000"}, {"LOG_LEVEL", "debug"}});
  EXPECT_EQ(config.port, 9000);
  EXPECT_EQ(config.log_level, spdlog::level::err);
}

TEST(Config, AFlagWinsEvenOverABadEnvironmentValue) {
  EXPECT_EQ(read_ok({"--port", "9000"}, {{"PORT", "nonsense"}}).port, 9000);
}

TEST(Config, NumbersAsPythonReadsThem) {
  Config const config = read_ok({}, {{"PORT", " +8080 "}, {"FORCED_SHUTDOWN_AFTER_SEC", "+1.5"}});
  EXPECT_EQ(config.port, 8080);
  EXPECT_DOUBLE_EQ(config.forced_shutdown_after.count(), 1.5);
  expect_refused({}, {{"PORT", "+-1"}}, "PORT", "+-1");
  expect_refused({}, {{"PORT", "80 80"}}, "PORT", "80 80");
}

TEST(Config, LogLevelsInAnyCase) {
  EXPECT_EQ(read_ok({"--log-level", "Critical"}).log_level, spdlog::level::critical);
  EXPECT_EQ(read_ok({"--log-level", "warn"}).log_level, spdlog::level::warn);
  EXPECT_EQ(read_ok({"--log-level", "TRACE"}).log_level, spdlog::level::trace);
  EXPECT_EQ(read_ok({"--log-level", "off"}).log_level, spdlog::level::off);
}

TEST(Config, LogFormatsInAnyCase) {
  EXPECT_EQ(read_ok({}).log_format, LogFormat::text);
  EXPECT_EQ(read_ok({"--log-format", "JSON"}).log_format, LogFormat::json);
  EXPECT_EQ(read_ok({}, {{"LOG_FORMAT", "json"}}).log_format, LogFormat::json);
  EXPECT_EQ(read_ok({"--log-format", "text"}, {{"LOG_FORMAT", "json"}}).log_format, LogFormat::text);
}

TEST(Config, RefusesUnknownLogFormats) {
  expect_refused({"--log-format", "xml"}, {}, "--log-format", "xml");
  expect_refused({}, {{"LOG_FORMAT", ""}}, "LOG_FORMAT", "");
}

TEST(Config, RefusesBadPorts) {
  expect_refused({"--port", "abc"}, {}, "--port", "abc");
  expect_refused({"--port", "65536"}, {}, "--port", "65536");
  expect_refused({}, {{"PORT", "-1"}}, "PORT", "-1");
  expect_refused({}, {{"PORT", "80.5"}}, "PORT", "80.5");
  expect_refused({}, {{"PORT", ""}}, "PORT", "");
}

TEST(Config, RefusesBadThreadCounts) {
  expect_refused({"--threads", "0"}, {}, "--threads", "0");
  expect_refused({}, {{"THREADS", "many"}}, "THREADS", "many");
  expect_refused({}, {{"THREADS", "100000"}}, "THREADS", "100000");
}

TEST(Config, RefusesUnknownLogLevels) {
  expect_refused({"--log-level", "loud"}, {}, "--log-level", "loud");
  expect_refused({}, {{"LOG_LEVEL", "10"}}, "LOG_LEVEL", "10");
}

TEST(Config, RefusesBadDurations) {
  expect_refused({"--forced-shutdown-after-sec", "-1"}, {}, "--forced-shutdown-after-sec", "-1");
  expect_refused({}, {{"FORCED_SHUTDOWN_AFTER_SEC", "soon"}}, "FORCED_SHUTDOWN_AFTER_SEC", "soon");
  expect_refused({}, {{"FORCED_SHUTDOWN_AFTER_SEC", "nan"}}, "FORCED_SHUTDOWN_AFTER_SEC", "nan");
  expect_refused({}, {{"FORCED_SHUTDOWN_AFTER_SEC", "inf"}}, "FORCED_SHUTDOWN_AFTER_SEC", "inf");
  expect_refused({}, {{"FORCED_SHUTDOWN_AFTER_SEC", "1e99"}}, "FORCED_SHUTDOWN_AFTER_SEC", "1e99");
  expect_refused({"--progress-log-every-sec", "0"}, {}, "--progress-log-every-sec", "0");
  expect_refused({}, {{"PROGRESS_LOG_EVERY_SEC", "-5"}}, "PROGRESS_LOG_EVERY_SEC", "-5");
}

TEST(Config, RefusesAnEmptyHost) {
  expect_refused({"--host", ""}, {}, "--host", "");
}

TEST(Config, TheDocsPageMovesOrTurnsOff) {
  EXPECT_EQ(read_ok({}).docs_url, "/docs");
  EXPECT_EQ(read_ok({"--docs-url", "/api/docs"}).docs_url, "/api/docs");
  EXPECT_EQ(read_ok({}, {{"DOCS_URL", "/swagger"}}).docs_url, "/swagger");
  EXPECT_EQ(read_ok({"--docs-url", ""}).docs_url, "");
  EXPECT_EQ(read_ok({}, {{"DOCS_URL", ""}}).docs_url, "");
}

TEST(Config, RefusesADocsUrlThatIsNotAPathOrIsTaken) {
  expect_refused({"--docs-url", "docs"}, {}, "--docs-url", "docs");
  expect_refused({}, {{"DOCS_URL", "/my docs"}}, "DOCS_URL", "/my docs");
  expect_refused({}, {{"DOCS_URL", "/docs?x=1"}}, "DOCS_URL", "/docs?x=1");
  for (std::string const taken :
       {"/", "/clients", "/broadcast-to-all", "/healthz", "/readyz", "/metrics", "/openapi.json", "/ws", "/ws/docs"}) {
    expect_refused({"--docs-url", taken}, {}, "--docs-url", taken);
  }
}

TEST(Config, RefusesUnknownFlags) {
  auto const decision = read({"--colour", "blue"});
  EXPECT_EQ(decision.exit_code, 2);
  EXPECT_NE(decision.message.find("--colour"), std::string::npos) << decision.message;
}

TEST(Config, HelpNamesEveryFlagAndVariable) {
  auto const decision = read({"--help"});
  EXPECT_FALSE(decision.config.has_value());
  EXPECT_EQ(decision.exit_code, 0);
  for (char const* name : {"--host", "HOST", "--port", "PORT", "--threads", "THREADS", "--log-level", "LOG_LEVEL",
                           "--forced-shutdown-after-sec", "FORCED_SHUTDOWN_AFTER_SEC", "--progress-log-every-sec",
                           "PROGRESS_LOG_EVERY_SEC", "--docs-url", "DOCS_URL"}) {
    EXPECT_NE(decision.message.find(name), std::string::npos) << name;
  }
}

TEST(Config, VersionPrintsTheVersion) {
  auto const decision = read({"--version"});
  EXPECT_EQ(decision.exit_code, 0);
  EXPECT_EQ(decision.message, std::string("wshub ") + version + " (commit " + build_commit + ")");
}

}  // namespace
}  // namespace wshub
