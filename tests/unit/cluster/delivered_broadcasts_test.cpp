// Tests that a broadcast published again is delivered once, and that an origin long silent is forgotten.
#include "cluster/delivered_broadcasts.hpp"

#include <thread>

#include <gtest/gtest.h>

namespace wshub {
namespace {

using std::chrono::milliseconds;

TEST(DeliveredBroadcasts, EachBroadcastOfAnOriginIsNewOnceAndOlderOnesNever) {
  DeliveredBroadcasts delivered(milliseconds(60000));
  EXPECT_TRUE(delivered.first_delivery("node-a", 5));
  EXPECT_FALSE(delivered.first_delivery("node-a", 5));
  EXPECT_FALSE(delivered.first_delivery("node-a", 4));
  EXPECT_TRUE(delivered.first_delivery("node-b", 1)) << "each origin numbers its own";
  EXPECT_TRUE(delivered.first_delivery("node-a", 6));
  EXPECT_EQ(delivered.origins(), 2U);
}

TEST(DeliveredBroadcasts, AnOriginSilentLongerThanTheWindowIsForgottenWhenANewOneAppears) {
  DeliveredBroadcasts delivered(milliseconds(1));
  EXPECT_TRUE(delivered.first_delivery("node-a", 5));
  std::this_thread::sleep_for(milliseconds(5));  // node-a's silence, not a synchronisation
  EXPECT_TRUE(delivered.first_delivery("node-b", 1));
  EXPECT_EQ(delivered.origins(), 1U);
}

}  // namespace
}  // namespace wshub
