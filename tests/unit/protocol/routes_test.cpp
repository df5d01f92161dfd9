// Tests how a request target is read as one of the routes' paths.
#include "protocol/routes.hpp"

#include <gtest/gtest.h>

namespace wshub::routes {
namespace {

TEST(Routes, ThePathIsTheTargetWithoutItsQuery) {
  EXPECT_EQ(path_of("/clients"), "/clients");
  EXPECT_EQ(path_of("/ws/1?token=x"), "/ws/1");
  EXPECT_EQ(path_of("/a://b"), "/a://b");
  EXPECT_EQ(path_of("*"), "*");
}

TEST(Routes, AnAbsoluteFormTargetIsServedByItsPath) {
  EXPECT_EQ(path_of("http://localhost:8000/clients"), "/clients");
  EXPECT_EQ(path_of("HTTP://example.com/ws/7?x=1"), "/ws/7");
  EXPECT_EQ(path_of("http://example.com"), "/");
  EXPECT_EQ(path_of("http://example.com?x=1"), "/");
}

}  // namespace
}  // namespace wshub::routes
