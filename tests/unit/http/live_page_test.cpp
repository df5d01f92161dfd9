// Tests the live page's embedding and the Content-Security-Policy it is served under.
#include "http/live_page.hpp"

#include <gtest/gtest.h>

namespace wshub {
namespace {

TEST(LivePage, IsTheWholeHtmlFile) {
  auto const page = live_page();
  EXPECT_TRUE(page.starts_with("<!DOCTYPE html>"));
  EXPECT_TRUE(page.ends_with("</html>\n"));
  EXPECT_NE(page.find(R"(<meta name="viewport")"), std::string_view::npos);
}

TEST(LivePage, LoadsNothingFromElsewhere) {
  auto const page = live_page();
  EXPECT_EQ(page.find("http://"), std::string_view::npos);
  EXPECT_EQ(page.find("https://"), std::string_view::npos);
  EXPECT_EQ(page.find(" src="), std::string_view::npos);
}

TEST(LivePage, PolicyAllowsItsOwnInlineCodeByHashAndNothingElse) {
  auto const policy = live_page_security_policy("127.0.0.1:8000");
  EXPECT_TRUE(policy.starts_with("default-src 'none'; script-src 'sha256-")) << policy;
  EXPECT_NE(policy.find("; style-src 'sha256-"), std::string::npos) << policy;
  EXPECT_EQ(policy.find("unsafe"), std::string::npos) << policy;
  EXPECT_NE(policy.find("connect-src 'self' ws://127.0.0.1:8000 wss://127.0.0.1:8000;"), std::string::npos) << policy;
}

TEST(LivePage, PolicyLeavesOutAHostThatCouldInjectDirectives) {
  auto const policy = live_page_security_policy("evil; script-src *");
  EXPECT_NE(policy.find("connect-src 'self';"), std::string::npos) << policy;
  EXPECT_EQ(policy.find("evil"), std::string::npos) << policy;
  EXPECT_NE(live_page_security_policy("").find("connect-src 'self';"), std::string::npos);
  EXPECT_NE(live_page_security_policy("[::1]:8000").find("ws://[::1]:8000"), std::string::npos);
}

}  // namespace
}  // namespace wshub
