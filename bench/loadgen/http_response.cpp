// Reads HTTP/1.1 responses framed by Content-Length, which is how the hubs' JSON API answers.
#include "http_response.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <stdexcept>
#include <string_view>

namespace loadgen {
namespace {

constexpr std::string_view kHeaderEnd = "\r\n\r\n";

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return std::ranges::equal(a, b, [](char x, char y) { return std::tolower(x) == std::tolower(y); });
}

std::string_view trim(std::string_view text) {
  const std::size_t first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

std::size_t parse_number(std::string_view text, std::string_view what) {
  std::size_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) {
    throw std::runtime_error("unreadable " + std::string(what) + " in HTTP response: " + std::string(text));
  }
  return value;
}

// "HTTP/1.1 200 OK" -> 200
int parse_status(std::string_view head) {
  if (!head.starts_with("HTTP/1.") || head.size() < 12) {
    throw std::runtime_error("not an HTTP response: " + std::string(head.substr(0, head.find("\r\n"))));
  }
  return static_cast<int>(parse_number(head.substr(9, 3), "status"));
}

std::size_t parse_content_length(std::string_view head) {
  for (std::size_t line_start = head.find("\r\n"); line_start != std::string_view::npos;) {
    line_start += 2;
    const std::size_t line_end = head.find("\r\n", line_start);
    const std::string_view line = head.substr(line_start, line_end - line_start);
    const std::size_t colon = line.find(':');
    if (colon != std::string_view::npos && equals_ignoring_case(trim(line.substr(0, colon)), "content-length")) {
      return parse_number(trim(line.substr(colon + 1)), "Content-Length");
    }
    line_start = line_end;
  }
  throw std::runtime_error("HTTP response without Content-Length");
}

}  // namespace

std::optional<HttpResponse> take_http_response(std::string& buffer) {
  const std::size_t head_size = buffer.find(kHeaderEnd);
  if (head_size == std::string::npos) return std::nullopt;
  const std::string_view head(buffer.data(), head_size);
  const int status = parse_status(head);
  const std::size_t body_start = head_size + kHeaderEnd.size();
  const std::size_t body_size = parse_content_length(head);
  if (buffer.size() < body_start + body_size) return std::nullopt;
  HttpResponse response{.status = status, .body = buffer.substr(body_start, body_size)};
  buffer.erase(0, body_start + body_size);
  return response;
}

}  // namespace loadgen
