// Tests JSON log lines: the time, level and message, every kind of field, and escaping of any text.
#include "ops/log_line.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace wshub {
namespace {

using namespace std::chrono;

// 2026-01-02T03:04:05.678901Z
constexpr auto example_time = sys_days{year{2026} / 1 / 2} + hours{3} + minutes{4} + seconds{5} + microseconds{678901};

std::string line_with(std::initializer_list<LogField> fields, std::string_view message = "hello") {
  return json_log_line(system_clock::time_point{example_time}, spdlog::level::info, message,
                       {fields.begin(), fields.size()});
}

std::string escaped(std::string_view text) {
  std::string out;
  append_json_string(out, text);
  return out;
}

TEST(JsonLogLine, HasTheTimeInUtcTheLevelAndTheMessage) {
  EXPECT_EQ(line_with({}), R"({"time":"2026-01-02T03:04:05.678901Z","level":"info","message":"hello"})");
  auto const warning =
      json_log_line(system_clock::time_point{sys_days{year{1999} / 12 / 31}}, spdlog::level::warn, "w", {});
  EXPECT_EQ(warning, R"({"time":"1999-12-31T00:00:00.000000Z","level":"warning","message":"w"})");
}

TEST(JsonLogLine, WritesEachKindOfFieldInOrder) {
  std::optional<int> const none;
  std::string const remote = "127.0.0.1:5000";
  auto const line = line_with({{"client_id", std::int64_t{-5}},
                               {"connected", std::size_t{3}},
                               {"waited_sec", 1.5},
                               {"remote", remote},
                               {"reason", "bye"},
                               {"close_code", std::optional<int>(1000)},
                               {"missing", none}});
  EXPECT_EQ(line, R"({"time":"2026-01-02T03:04:05.678901Z","level":"info","message":"hello","client_id":-5,)"
                  R"("connected":3,"waited_sec":1.5,"remote":"127.0.0.1:5000","reason":"bye","close_code":1000,)"
                  R"("missing":null})");
}

TEST(JsonLogLine, NumbersJsonCannotHoldAreNull) {
  EXPECT_NE(line_with({{"x", std::numeric_limits<double>::infinity()}}).find(R"("x":null)"), std::string::npos);
  EXPECT_NE(line_with({{"x", std::nan("")}}).find(R"("x":null)"), std::string::npos);
}

TEST(JsonLogLine, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(escaped(R"(say "hi" \ bye)"), R"("say \"hi\" \\ bye")");
  EXPECT_EQ(escaped("a\nb\rc\td"), R"("a\nb\rc\td")");
  EXPECT_EQ(escaped(std::string_view("\0\x01\x1f\x7f", 4)), R"("\u0000\u0001\u001f\u007f")");
}

TEST(JsonLogLine, KeepsValidUtf8AndReplacesInvalidBytes) {
  EXPECT_EQ(escaped("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"), "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
  EXPECT_EQ(escaped("a\xff"
                    "b"),
            R"("a\ufffdb")");
  EXPECT_EQ(escaped("\xc3"), R"("\ufffd")");                      // cut short at the end
  EXPECT_EQ(escaped("\xed\xa0\x80"), R"("\ufffd\ufffd\ufffd")");  // a surrogate
  EXPECT_EQ(escaped("\xc0\xaf"), R"("\ufffd\ufffd")");            // overlong
}

TEST(JsonLogLine, AnyBytesGiveALineThatParsesBackToTheMessage) {
  std::string every_byte;
  for (int byte = 0; byte < 256; ++byte) every_byte.push_back(static_cast<char>(byte));
  auto const parsed = boost::json::parse(line_with({{"reason", every_byte}}, "ascii \"\\\n"));
  EXPECT_EQ(parsed.at("message").as_string(), "ascii \"\\\n");
  auto const reason = parsed.at("reason").as_string();
  EXPECT_EQ(std::string_view(reason).substr(0, 128), std::string_view(every_byte).substr(0, 128));
}

}  // namespace
}  // namespace wshub
