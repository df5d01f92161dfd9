// Tests reading settings from flags, environment and defaults, and refusing bad values.
#include "config.hpp"

#include <map>

#include <gtest/gtest.h>

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
                           "PROGRESS_LOG_EVERY_SEC"}) {
    EXPECT_NE(decision.message.find(name), std::string::npos) << name;
  }
}

TEST(Config, VersionPrintsTheVersion) {
  auto const decision = read({"--version"});
  EXPECT_EQ(decision.exit_code, 0);
  EXPECT_EQ(decision.message, std::string("wshub ") + version);
}

}  // namespace
}  // namespace wshub
