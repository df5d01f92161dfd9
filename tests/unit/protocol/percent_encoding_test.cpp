// Tests percent-decoding of path segments and of query names and values, malformed escapes kept as sent.
#include "protocol/percent_encoding.hpp"

#include <gtest/gtest.h>

namespace wshub {
namespace {

TEST(PercentEncoding, DecodesEscapesInEitherCase) {
  EXPECT_EQ(percent_decode("%31%32"), "12");
  EXPECT_EQ(percent_decode("a%2fb%2Fc"), "a/b/c");
  EXPECT_EQ(percent_decode("%e2%82%AC"), "\xE2\x82\xAC");
  EXPECT_EQ(percent_decode("%00"), std::string(1, '\0'));
}

TEST(PercentEncoding, AnEscapeAtTheVeryEndIsDecoded) {
  EXPECT_EQ(percent_decode("x%41"), "xA");
  EXPECT_EQ(percent_decode("%41"), "A");
}

TEST(PercentEncoding, MalformedEscapesAreKeptAsTheyAre) {
  EXPECT_EQ(percent_decode("%"), "%");
  EXPECT_EQ(percent_decode("%4"), "%4");
  EXPECT_EQ(percent_decode("a%"), "a%");
  EXPECT_EQ(percent_decode("%zz%41"), "%zzA");
  EXPECT_EQ(percent_decode("%4g"), "%4g");
  EXPECT_EQ(percent_decode("%%41"), "%A");
}

TEST(PercentEncoding, ADecodedPercentSignIsNotDecodedAgain) {
  EXPECT_EQ(percent_decode("%2541"), "%41");
}

TEST(PercentEncoding, PlusIsLeftAloneInAPath) {
  EXPECT_EQ(percent_decode("a+b"), "a+b");
}

TEST(FormEncoding, PlusIsASpaceAndAnEncodedPlusIsAPlus) {
  EXPECT_EQ(form_decode("closed+by+me"), "closed by me");
  EXPECT_EQ(form_decode("1%2B1"), "1+1");
  EXPECT_EQ(form_decode("a%20b+c"), "a b c");
}

TEST(FormEncoding, MalformedEscapesAreKeptAsTheyAre) {
  EXPECT_EQ(form_decode("100%"), "100%");
  EXPECT_EQ(form_decode("%+41"), "% 41");
  EXPECT_EQ(form_decode("%x"), "%x");
}

TEST(FormEncoding, EmptyTextIsEmpty) {
  EXPECT_EQ(form_decode(""), "");
  EXPECT_EQ(percent_decode(""), "");
}

}  // namespace
}  // namespace wshub
