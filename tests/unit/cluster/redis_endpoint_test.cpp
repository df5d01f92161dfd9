// Tests reading REDIS_URL: what is accepted, and what is refused at start-up.
#include "cluster/redis_endpoint.hpp"

#include <gtest/gtest.h>

namespace wshub {
namespace {

TEST(RedisEndpoint, ReadsHostPortAndDatabase) {
  EXPECT_EQ(parse_redis_url("redis://127.0.0.1:6380/2"),
            (RedisEndpoint{.host = "127.0.0.1", .port = 6380, .database = 2}));
  EXPECT_EQ(parse_redis_url("redis://cache.internal"),
            (RedisEndpoint{.host = "cache.internal", .port = 6379, .database = 0}));
  EXPECT_EQ(parse_redis_url("redis://[::1]:7000/0"), (RedisEndpoint{.host = "::1", .port = 7000, .database = 0}));
}

TEST(RedisEndpoint, RefusesWhatItCannotServe) {
  for (auto const* url : {"", "127.0.0.1:6379", "rediss://host", "redis://", "redis://host:0", "redis://host:70000",
                          "redis://host/16", "redis://host/x", "redis://user:pass@host", "redis://host:12a"}) {
    EXPECT_FALSE(parse_redis_url(url).has_value()) << url;
  }
}

}  // namespace
}  // namespace wshub
