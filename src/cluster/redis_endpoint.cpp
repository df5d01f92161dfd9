// Parses redis://[[USER]:PASSWORD@]HOST[:PORT][/DB] (rediss:// with TLS), and shows it without the password.
#include "cluster/redis_endpoint.hpp"

#include <charconv>

#include <spdlog/fmt/fmt.h>

#include "protocol/percent_encoding.hpp"

namespace wshub {
namespace {

constexpr std::string_view scheme = "redis://";
constexpr std::string_view tls_scheme = "rediss://";
constexpr std::string_view hidden = "***";
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

// USER:PASSWORD or :PASSWORD; the password may not be empty (it would mean no AUTH, which leaving it out says).
bool parse_credentials(std::string_view userinfo, RedisEndpoint& endpoint) {
  auto const colon = userinfo.find(':');
  if (colon == std::string_view::npos || colon + 1 == userinfo.size()) return false;
  endpoint.user = percent_decode(userinfo.substr(0, colon));
  endpoint.password = percent_decode(userinfo.substr(colon + 1));
  return true;
}

// HOST[:PORT], or [IPV6][:PORT]: sets what it finds in address, whose port is the default.
bool parse_host_port(std::string_view text, RedisAddress& address) {
  if (auto const colon = text.rfind(':'); colon != std::string_view::npos && !text.ends_with(']')) {
    auto const port = parse_decimal<std::uint16_t>(text.substr(colon + 1), 65535);
    if (!port || *port == 0) return false;
    address.port = *port;
    text = text.substr(0, colon);
  }
  if (text.starts_with('[') && text.ends_with(']')) text = text.substr(1, text.size() - 2);  // [::1]
  if (text.empty() || text.find_first_of("@/?#, ") != std::string_view::npos) return false;
  address.host = std::string(text);
  return true;
}

}  // namespace

std::optional<RedisEndpoint> parse_redis_url(std::string_view url) {
  RedisEndpoint endpoint;
  endpoint.tls = url.starts_with(tls_scheme);
  if (!endpoint.tls && !url.starts_with(scheme)) return std::nullopt;
  url.remove_prefix(endpoint.tls ? tls_scheme.size() : scheme.size());
  // The last '@': a password may hold an unescaped '@' or '/', a host and a database number never do.
  if (auto const at = url.rfind('@'); at != std::string_view::npos) {
    if (!parse_credentials(url.substr(0, at), endpoint)) return std::nullopt;
    url.remove_prefix(at + 1);
  }
  if (auto const slash = url.find('/'); slash != std::string_view::npos) {
    auto const database = parse_decimal<unsigned>(url.substr(slash + 1), max_database);
    if (!database) return std::nullopt;
    endpoint.database = *database;
    url = url.substr(0, slash);
  }
  RedisAddress address{.host = {}, .port = endpoint.port};
  if (!parse_host_port(url, address)) return std::nullopt;
  endpoint.host = std::move(address.host);
  endpoint.port = address.port;
  return endpoint;
}

std::string shown_address(RedisAddress const& address) {
  bool const ipv6 = address.host.find(':') != std::string::npos;
  return ipv6 ? fmt::format("[{}]:{}", address.host, address.port) : fmt::format("{}:{}", address.host, address.port);
}

std::optional<std::vector<RedisAddress>> parse_redis_addresses(std::string_view list, std::uint16_t default_port) {
  std::vector<RedisAddress> addresses;
  for (;;) {
    auto const comma = list.find(',');
    RedisAddress address{.host = {}, .port = default_port};
    if (!parse_host_port(list.substr(0, comma), address)) return std::nullopt;
    addresses.push_back(std::move(address));
    if (comma == std::string_view::npos) return addresses;
    list.remove_prefix(comma + 1);
  }
}

std::string shown_url(RedisEndpoint const& endpoint) {
  std::string url(endpoint.tls ? tls_scheme : scheme);
  if (!endpoint.password.empty()) {
    url += endpoint.user;
    url += ':';
    url += hidden;
    url += '@';
  }
  url += shown_address({.host = endpoint.host, .port = endpoint.port});
  url += '/';
  url += std::to_string(endpoint.database);
  return url;
}

std::string masked_url(std::string_view url) {
  auto const at = url.rfind('@');
  if (at == std::string_view::npos) return std::string(url);
  // Without a scheme (a URL mistyped), the credentials start the text.
  auto const scheme_end = url.substr(0, at).find("://");
  auto const start = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
  auto const userinfo = url.substr(start, at - start);
  auto const colon = userinfo.find(':');
  // Without a colon the whole userinfo may be a password written without its user's colon.
  auto const user = colon == std::string_view::npos ? std::string_view{} : userinfo.substr(0, colon);
  std::string masked(url.substr(0, start));
  masked += user;
  if (colon != std::string_view::npos) masked += ':';
  masked += hidden;
  masked += url.substr(at);
  return masked;
}

}  // namespace wshub
