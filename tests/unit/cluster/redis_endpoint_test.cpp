// Tests reading REDIS_URL: what is accepted, what is refused at start-up, and how it is shown without its password.
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

TEST(RedisEndpoint, ReadsAPasswordAloneOrWithAnAclUser) {
  EXPECT_EQ(parse_redis_url("redis://:s3cret@cache:6380/1"),
            (RedisEndpoint{.host = "cache", .port = 6380, .database = 1, .user = "", .password = "s3cret"}));
  EXPECT_EQ(parse_redis_url("redis://app:s3cret@[::1]"),
            (RedisEndpoint{.host = "::1", .port = 6379, .database = 0, .user = "app", .password = "s3cret"}));
}

TEST(RedisEndpoint, DecodesPercentEscapesInTheUserAndThePassword) {
  auto const endpoint = parse_redis_url("redis://my%20app:p%40ss%3Aw%2Frd%25@host/3");
  ASSERT_TRUE(endpoint.has_value());
  EXPECT_EQ(endpoint->user, "my app");
  EXPECT_EQ(endpoint->password, "p@ss:w/rd%");
  EXPECT_EQ(endpoint->host, "host");
  EXPECT_EQ(endpoint->database, 3U);
}

TEST(RedisEndpoint, TakesTheLastAtSignAsTheEndOfTheCredentials) {
  auto const endpoint = parse_redis_url("redis://app:p@ss/word@host:7000");
  ASSERT_TRUE(endpoint.has_value());
  EXPECT_EQ(endpoint->password, "p@ss/word");
  EXPECT_EQ(endpoint->host, "host");
  EXPECT_EQ(endpoint->port, 7000);
}

TEST(RedisEndpoint, ReadsARedissUrlAsTlsWithEverythingARedisUrlHas) {
  EXPECT_EQ(parse_redis_url("rediss://cache.example.com"),
            (RedisEndpoint{.host = "cache.example.com", .port = 6379, .database = 0, .tls = true}));
  EXPECT_EQ(
      parse_redis_url("rediss://app:p%40ss@[::1]:6380/2"),
      (RedisEndpoint{.host = "::1", .port = 6380, .database = 2, .user = "app", .password = "p@ss", .tls = true}));
  EXPECT_EQ(parse_redis_url("rediss://:s3cret@localhost:6390"),
            (RedisEndpoint{.host = "localhost", .port = 6390, .database = 0, .password = "s3cret", .tls = true}));
  EXPECT_FALSE(parse_redis_url("redis://localhost")->tls);
}

TEST(RedisEndpoint, RefusesWhatItCannotServe) {
  for (auto const* url : {"",
                          "127.0.0.1:6379",
                          "redis:/host",
                          "rediss:/host",
                          "redisss://host",
                          "REDISS://host",
                          "rediss://",
                          "rediss://:@host",
                          "rediss://host:0",
                          "redis://",
                          "redis://host:0",
                          "redis://host:70000",
                          "redis://host/16",
                          "redis://host/x",
                          "redis://host:12a",
                          "redis://password@host",
                          "redis://user:@host",
                          "redis://:@host",
                          "redis://:pass@",
                          "redis://:pass@:6379"}) {
    EXPECT_FALSE(parse_redis_url(url).has_value()) << url;
  }
}

TEST(RedisEndpoint, IsShownWithItsPasswordMasked) {
  EXPECT_EQ(shown_url(*parse_redis_url("redis://app:s3cret@host:6380/0")), "redis://app:***@host:6380/0");
  EXPECT_EQ(shown_url(*parse_redis_url("redis://:s3cret@host")), "redis://:***@host:6379/0");
  EXPECT_EQ(shown_url(*parse_redis_url("redis://[::1]:7000/2")), "redis://[::1]:7000/2");
  EXPECT_EQ(shown_url(*parse_redis_url("rediss://app:s3cret@host:6380/1")), "rediss://app:***@host:6380/1");
  EXPECT_EQ(shown_url(*parse_redis_url("rediss://host")), "rediss://host:6379/0");
}

TEST(RedisEndpoint, AGivenUrlIsMaskedValidOrNot) {
  EXPECT_EQ(masked_url("redis://app:s3cret@host:6380/0"), "redis://app:***@host:6380/0");
  EXPECT_EQ(masked_url("rediss://:s3cret@host"), "rediss://:***@host");
  EXPECT_EQ(masked_url("redis://s3cret@host:99999"), "redis://***@host:99999");
  EXPECT_EQ(masked_url("redis://app:p@ss@host"), "redis://app:***@host");
  EXPECT_EQ(masked_url("redis://host:6379"), "redis://host:6379");
  EXPECT_EQ(masked_url("app:s3cret@host:6379"), "app:***@host:6379");
  EXPECT_EQ(masked_url("localhost:6379"), "localhost:6379");
}

TEST(RedisAddresses, AreReadFromACommaSeparatedListWithTheDefaultPort) {
  auto const addresses = parse_redis_addresses("10.0.0.1:26380,sentinel-b,[::1]:5000", 26379);
  ASSERT_TRUE(addresses.has_value());
  EXPECT_EQ(*addresses, (std::vector<RedisAddress>{{.host = "10.0.0.1", .port = 26380},
                                                   {.host = "sentinel-b", .port = 26379},
                                                   {.host = "::1", .port = 5000}}));
  EXPECT_EQ(shown_address(addresses->back()), "[::1]:5000");
  EXPECT_EQ(shown_address(addresses->front()), "10.0.0.1:26380");
}

TEST(RedisAddresses, AnEmptyEntryOrABadPortIsRefused) {
  for (auto const* list : {"", ",", "a:1,,b:2", "a:0", "a:65536", "a:x", "a b", "a:1,"}) {
    EXPECT_FALSE(parse_redis_addresses(list, 26379).has_value()) << list;
  }
}

}  // namespace
}  // namespace wshub
