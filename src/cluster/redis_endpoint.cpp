// Parses redis://HOST[:PORT][/DB].
#include "cluster/redis_endpoint.hpp"

#include <charconv>

namespace wshub {
namespace {

constexpr std::string_view scheme = "redis://";
constexpr unsigned max_database = 15;  // Redis's default `databases 16`

template <typename Number>
std::optional<Number> parse_decimal(std::string_view text, Number most) {
  Number value{};
  auto const result = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || result.ec != std::errc{} || result.ptr != text.data() + text.size() || value > most) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

std::optional<RedisEndpoint> parse_redis_url(std::string_view url) {
  if (!url.starts_with(scheme)) return std::nullopt;
  url.remove_prefix(scheme.size());
  RedisEndpoint endpoint;
  if (auto const slash = url.find('/'); slash != std::string_view::npos) {
    auto const database = parse_decimal<unsigned>(url.substr(slash + 1), max_database);
    if (!database) return std::nullopt;
    endpoint.database = *database;
    url = url.substr(0, slash);
  }
  if (auto const colon = url.rfind(':'); colon != std::string_view::npos && !url.ends_with(']')) {
    auto const port = parse_decimal<std::uint16_t>(url.substr(colon + 1), 65535);
    if (!port || *port == 0) return std::nullopt;
    endpoint.port = *port;
    url = url.substr(0, colon);
  }
  if (url.starts_with('[') && url.ends_with(']')) url = url.substr(1, url.size() - 2);  // [::1]
  if (url.empty() || url.find_first_of("@/?# ") != std::string_view::npos) return std::nullopt;
  endpoint.host = std::string(url);
  return endpoint;
}

}  // namespace wshub
