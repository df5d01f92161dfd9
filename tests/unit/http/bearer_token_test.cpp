// Tests the bearer-token check: the scheme, exact matching, and what is refused.
#include "http/bearer_token.hpp"

#include <gtest/gtest.h>

namespace wshub {
namespace {

TEST(BearerToken, MatchesTheSchemeInAnyCaseAndTheTokenExactly) {
  EXPECT_TRUE(bearer_token_matches("Bearer abc123", "abc123"));
  EXPECT_TRUE(bearer_token_matches("bEaReR abc123", "abc123"));
  EXPECT_FALSE(bearer_token_matches("Bearer ABC123", "abc123"));
  EXPECT_FALSE(bearer_token_matches("Bearer abc12", "abc123"));
  EXPECT_FALSE(bearer_token_matches("Bearer abc1234", "abc123"));
  EXPECT_FALSE(bearer_token_matches("Bearer  abc123", "abc123"));
}

TEST(BearerToken, RefusesOtherSchemesAndEmptyValues) {
  EXPECT_FALSE(bearer_token_matches("Basic abc123", "abc123"));
  EXPECT_FALSE(bearer_token_matches("abc123", "abc123"));
  EXPECT_FALSE(bearer_token_matches("", "abc123"));
  EXPECT_FALSE(bearer_token_matches("Bearer", "abc123"));
  EXPECT_FALSE(bearer_token_matches("Bearer ", "abc123"));
}

}  // namespace
}  // namespace wshub
