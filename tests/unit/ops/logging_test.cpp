// Tests the mapping of LOG_LEVEL names onto spdlog levels and of LOG_FORMAT names onto formats.
#include "ops/logging.hpp"

#include <gtest/gtest.h>

namespace wshub {
namespace {

TEST(LogLevel, AcceptsPythonNamesInAnyCase) {
  EXPECT_EQ(parse_log_level("DEBUG"), spdlog::level::debug);
  EXPECT_EQ(parse_log_level("info"), spdlog::level::info);
  EXPECT_EQ(parse_log_level("Warning"), spdlog::level::warn);
  EXPECT_EQ(parse_log_level("ERROR"), spdlog::level::err);
  EXPECT_EQ(parse_log_level("critical"), spdlog::level::critical);
}

TEST(LogLevel, AcceptsTraceWarnAndOff) {
  EXPECT_EQ(parse_log_level("trace"), spdlog::level::trace);
  EXPECT_EQ(parse_log_level("WARN"), spdlog::level::warn);
  EXPECT_EQ(parse_log_level("Off"), spdlog::level::off);
}

TEST(LogLevel, RefusesAnythingElse) {
  EXPECT_FALSE(parse_log_level(""));
  EXPECT_FALSE(parse_log_level("verbose"));
  EXPECT_FALSE(parse_log_level("20"));
  EXPECT_FALSE(parse_log_level("info "));
}

TEST(LogFormat, AcceptsTextAndJsonInAnyCase) {
  EXPECT_EQ(parse_log_format("text"), LogFormat::text);
  EXPECT_EQ(parse_log_format("JSON"), LogFormat::json);
  EXPECT_FALSE(parse_log_format(""));
  EXPECT_FALSE(parse_log_format("logfmt"));
  EXPECT_FALSE(parse_log_format("json "));
}

}  // namespace
}  // namespace wshub
