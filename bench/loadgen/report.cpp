// A scenario's results: a readable table on stdout, then one "RESULT {json}" line for bench/run.py.
#include "report.hpp"

#include <cstdio>
#include <iomanip>

namespace loadgen {
namespace {

constexpr int kTitleWidth = 36;

std::string json_string(const std::string& text) {
  std::string quoted = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      quoted.push_back('\\');
      quoted.push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
      quoted.append(escaped);
    } else {
      quoted.push_back(c);
    }
  }
  return quoted + "\"";
}

// Three decimals are finer than any of our measurements; trailing zeros say nothing.
std::string format_number(double value) {
  char text[64];
  std::snprintf(text, sizeof text, "%.3f", value);
  std::string formatted = text;
  formatted.erase(formatted.find_last_not_of('0') + 1);
  if (formatted.back() == '.') formatted.pop_back();
  return formatted;
}

struct JsonValue {
  std::string operator()(std::monostate) const { return "null"; }
  std::string operator()(std::size_t count) const { return std::to_string(count); }
  std::string operator()(double number) const { return format_number(number); }
};

struct TableValue {
  std::string operator()(std::monostate) const { return "n/a"; }
  std::string operator()(std::size_t count) const { return std::to_string(count); }
  std::string operator()(double number) const {
    char text[64];
    std::snprintf(text, sizeof text, number >= 100 ? "%.0f" : "%.2f", number);
    return text;
  }
};

}  // namespace

Report::Report(std::string scenario, std::string label) : scenario_(std::move(scenario)), label_(std::move(label)) {}

void Report::add_count(std::string key, std::string title, std::size_t value) {
  entries_.push_back({std::move(key), std::move(title), value});
}

void Report::add_number(std::string key, std::string title, double value) {
  entries_.push_back({std::move(key), std::move(title), value});
}

void Report::add_number(std::string key, std::string title, std::optional<double> value) {
  entries_.push_back({std::move(key), std::move(title), value ? Value(*value) : Value()});
}

int Report::publish(const CheckLog& checks, std::ostream& out, std::ostream& err) {
  add_count("errors", "failed checks", checks.failures());
  print_table(out);
  print_result_line(out);
  out.flush();
  checks.print(err);
  return checks.passed() ? 0 : 1;
}

void Report::print_table(std::ostream& out) const {
  out << scenario_ << " against " << label_ << '\n';
  for (const Entry& entry : entries_) {
    out << "  " << std::left << std::setw(kTitleWidth) << entry.title << std::right << std::setw(14)
        << std::visit(TableValue{}, entry.value) << '\n';
  }
}

void Report::print_result_line(std::ostream& out) const {
  out << "RESULT {\"scenario\":" << json_string(scenario_) << ",\"label\":" << json_string(label_);
  for (const Entry& entry : entries_) out << ",\"" << entry.key << "\":" << std::visit(JsonValue{}, entry.value);
  out << "}\n";
}

}  // namespace loadgen
