// Builds JSON log lines by hand: one string, appended to, with no JSON library in the way of the log call.
#include "ops/log_line.hpp"

#include <cmath>
#include <iterator>

#include <spdlog/fmt/fmt.h>

#include "protocol/utf8_validator.hpp"

namespace wshub {
namespace {

constexpr std::string_view replacement_character = "\\ufffd";
constexpr std::size_t longest_utf8_sequence = 4;

// The length of the valid UTF-8 character that starts text (whose first byte is not ASCII), or 0 if none does.
std::size_t utf8_character_length(std::string_view text) {
  for (std::size_t length = 2; length <= longest_utf8_sequence && length <= text.size(); ++length) {
    if (Utf8Validator::is_valid(text.substr(0, length))) return length;
  }
  return 0;
}

void append_escaped_ascii(std::string& out, char c) {
  switch (c) {
    case '"':
      out += "\\\"";
      return;
    case '\\':
      out += "\\\\";
      return;
    case '\n':
      out += "\\n";
      return;
    case '\r':
      out += "\\r";
      return;
    case '\t':
      out += "\\t";
      return;
    default:
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
        fmt::format_to(std::back_inserter(out), "\\u{:04x}", static_cast<unsigned>(c));
      } else {
        out += c;
      }
  }
}

void append_rfc3339_utc(std::string& out, std::chrono::system_clock::time_point time) {
  using namespace std::chrono;
  auto const day = floor<days>(time);
  year_month_day const date{day};
  hh_mm_ss const clock{floor<microseconds>(time - day)};
  fmt::format_to(std::back_inserter(out), "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", static_cast<int>(date.year()),
                 static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()), clock.hours().count(),
                 clock.minutes().count(), clock.seconds().count(), clock.subseconds().count());
}

void append_value(std::string& out, LogField::Value const& value) {
  auto const write = [&out](auto const& shown) { fmt::format_to(std::back_inserter(out), "{}", shown); };
  if (auto const* text = std::get_if<std::string_view>(&value)) {
    append_json_string(out, *text);
  } else if (auto const* number = std::get_if<double>(&value)) {
    // JSON has no infinities or NaN.
    std::isfinite(*number) ? write(*number) : write("null");
  } else if (auto const* integer = std::get_if<std::int64_t>(&value)) {
    write(*integer);
  } else if (auto const* natural = std::get_if<std::uint64_t>(&value)) {
    write(*natural);
  } else {
    write("null");
  }
}

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  std::size_t i = 0;
  while (i < text.size()) {
    if (static_cast<unsigned char>(text[i]) < 0x80) {
      append_escaped_ascii(out, text[i++]);
      continue;
    }
    auto const length = utf8_character_length(text.substr(i));
    if (length == 0) {
      out += replacement_character;
      ++i;
      continue;
    }
    out.append(text.substr(i, length));
    i += length;
  }
  out += '"';
}

std::string json_log_line(std::chrono::system_clock::time_point time, spdlog::level::level_enum level,
                          std::string_view message, std::span<LogField const> fields) {
  std::string line = R"({"time":")";
  append_rfc3339_utc(line, time);
  line += R"(","level":)";
  auto const level_name = spdlog::level::to_string_view(level);
  append_json_string(line, std::string_view(level_name.data(), level_name.size()));
  line += R"(,"message":)";
  append_json_string(line, message);
  for (auto const& field : fields) {
    line += ',';
    append_json_string(line, field.key);
    line += ':';
    append_value(line, field.value);
  }
  line += '}';
  return line;
}

}  // namespace wshub
