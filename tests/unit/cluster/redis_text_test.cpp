// Tests the id lists a stream entry carries as text, and reading whole integers from Redis's replies.
#include "cluster/redis_text.hpp"

#include <cstdint>
#include <limits>

#include <gtest/gtest.h>

namespace wshub {
namespace {

using Ids = std::vector<ClientId>;

TEST(RedisText, AnIdListIsWrittenCommaSeparatedInItsOrder) {
  EXPECT_EQ(id_list_to_text({7, -3, 42, 7}), "7,-3,42,7");
  EXPECT_EQ(id_list_to_text({5}), "5");
  EXPECT_EQ(id_list_to_text({}), "");
}

TEST(RedisText, AnIdListIsReadBackAsItWasWritten) {
  Ids const ids{std::numeric_limits<ClientId>::min(), 0, std::numeric_limits<ClientId>::max(), -1, 0};
  EXPECT_EQ(id_list_from_text(id_list_to_text(ids)), ids);
  EXPECT_EQ(id_list_from_text(""), Ids{});
}

TEST(RedisText, PartsThatAreNotIdsAreLeftOut) {
  EXPECT_EQ(id_list_from_text("1,,2"), (Ids{1, 2}));
  EXPECT_EQ(id_list_from_text(",3,"), Ids{3});
  EXPECT_EQ(id_list_from_text("4,x,5a, 6,7"), (Ids{4, 7}));
  EXPECT_EQ(id_list_from_text("9223372036854775808,8"), Ids{8});
}

TEST(RedisText, AWholeIntegerIsAllOfTheText) {
  EXPECT_EQ(whole_integer<std::uint64_t>("17"), 17U);
  EXPECT_EQ(whole_integer<int>("-4"), -4);
  EXPECT_EQ(whole_integer<int>(""), std::nullopt);
  EXPECT_EQ(whole_integer<int>("12 "), std::nullopt);
  EXPECT_EQ(whole_integer<std::uint64_t>("-1"), std::nullopt);
  EXPECT_EQ(whole_integer<std::uint16_t>("65536"), std::nullopt);
}

}  // namespace
}  // namespace wshub
