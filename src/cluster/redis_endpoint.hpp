// Where Redis is: read from a redis:// URL, as REDIS_URL gives it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace wshub {

struct RedisEndpoint {
  std::string host;
  std::uint16_t port = 6379;
  unsigned database = 0;

  bool operator==(RedisEndpoint const&) const = default;
};

// redis://HOST[:PORT][/DB]; nullopt for anything else (passwords, TLS and sockets are not supported).
std::optional<RedisEndpoint> parse_redis_url(std::string_view url);

}  // namespace wshub
