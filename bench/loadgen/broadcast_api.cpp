// POST /broadcast-to-all as the hub's API defines it: the request body, and the count in its answer.
#include "broadcast_api.hpp"

#include <charconv>

namespace loadgen {

std::string broadcast_body(std::string_view text) {
  std::string body = "{\"message\":\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') body.push_back('\\');
    body.push_back(c);
  }
  body.append("\"}");
  return body;
}

std::optional<std::size_t> sent_count(const HttpResponse& response) {
  const std::string_view body = response.body;
  const std::size_t key = body.find("\"sent\"");
  if (response.status != 200 || key == std::string_view::npos) return std::nullopt;
  const std::size_t digits = body.find_first_of("0123456789", key);
  std::size_t count = 0;
  if (digits == std::string_view::npos ||
      std::from_chars(body.data() + digits, body.data() + body.size(), count).ec != std::errc{}) {
    return std::nullopt;
  }
  return count;
}

}  // namespace loadgen
