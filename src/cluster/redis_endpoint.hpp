// Where Redis is, who to be there and whether over TLS: read from a redis:// or rediss:// URL, as REDIS_URL gives it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wshub {

struct RedisEndpoint {
  std::string host;
  std::uint16_t port = 6379;
  unsigned database = 0;
  // Defaulted here, so that an endpoint written without credentials (designated initializers) needs no mention.
  std::string user = {};      // an ACL user (Redis 6+); empty: the default user
  std::string password = {};  // empty: no AUTH
  bool tls = false;           // rediss://: TLS over the TCP connection

  bool operator==(RedisEndpoint const&) const = default;
};

// A server to connect to: Redis's primary, or a sentinel.
struct RedisAddress {
  std::string host;
  std::uint16_t port = 6379;

  bool operator==(RedisAddress const&) const = default;
};

// HOST:PORT as a log line shows it ([::1]:6379 for an IPv6 address).
std::string shown_address(RedisAddress const& address);

// HOST[:PORT],HOST[:PORT],..., the port default_port where left out; nullopt for an
// empty list or an entry that is not HOST[:PORT].
std::optional<std::vector<RedisAddress>> parse_redis_addresses(std::string_view list, std::uint16_t default_port);

// redis://[[USER]:PASSWORD@]HOST[:PORT][/DB], or rediss://... for TLS, with %XX escapes in the user and the
// password; nullopt for anything else (Unix sockets are not supported).
std::optional<RedisEndpoint> parse_redis_url(std::string_view url);

// The endpoint as a URL to show, the password as *** (redis://app:***@host:6380/0, rediss://... with TLS): for logs
// and messages.
std::string shown_url(RedisEndpoint const& endpoint);

// A URL as given, valid or not, with whatever stands where a password would be replaced by ***: for refusals.
std::string masked_url(std::string_view url);

}  // namespace wshub
