// Tests UTF-8 validation: what RFC 3629 allows and forbids, and text split at any byte.
#include "protocol/utf8_validator.hpp"

#include <gtest/gtest.h>

namespace wshub {
namespace {

TEST(Utf8Validator, AcceptsAsciiAndEveryEncodingLength) {
  EXPECT_TRUE(Utf8Validator::is_valid(""));
  EXPECT_TRUE(Utf8Validator::is_valid("Hello"));
  EXPECT_TRUE(Utf8Validator::is_valid("\xc2\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));  // ©, €, an emoji
  EXPECT_TRUE(Utf8Validator::is_valid("\xf4\x8f\xbf\xbf"));                        // U+10FFFF, the last code point
}

TEST(Utf8Validator, RejectsOverlongSurrogateAndOutOfRangeForms) {
  EXPECT_FALSE(Utf8Validator::is_valid("\xc0\x80"));          // overlong NUL
  EXPECT_FALSE(Utf8Validator::is_valid("\xe0\x80\xaf"));      // overlong '/'
  EXPECT_FALSE(Utf8Validator::is_valid("\xed\xa0\x80"));      // U+D800, a surrogate
  EXPECT_FALSE(Utf8Validator::is_valid("\xf4\x90\x80\x80"));  // U+110000
  EXPECT_FALSE(Utf8Validator::is_valid("\xff"));
  EXPECT_FALSE(Utf8Validator::is_valid("\x80"));  // a continuation byte with no lead
}

TEST(Utf8Validator, TextCutMidCharacterIsNotValidYet) {
  Utf8Validator validator;
  EXPECT_TRUE(validator.feed("\xe2\x82"));
  EXPECT_FALSE(validator.at_character_boundary());
  EXPECT_TRUE(validator.feed("\xac"));
  EXPECT_TRUE(validator.at_character_boundary());
}

TEST(Utf8Validator, FailsAtTheFirstImpossibleByte) {
  Utf8Validator validator;
  EXPECT_TRUE(validator.feed("ok \xce"));
  EXPECT_FALSE(validator.feed("\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80"));
  EXPECT_FALSE(validator.feed("still broken"));
}

TEST(Utf8Validator, FindsABadByteAnywhereInLongAsciiText) {
  std::string const ascii(40, 'a');
  for (std::size_t at = 0; at <= ascii.size(); ++at) {
    auto text = ascii;
    text.insert(at, "\xed\xa0\x80");
    EXPECT_FALSE(Utf8Validator::is_valid(text)) << at;
    text = ascii;
    text.insert(at, "\xe2\x82\xac");
    EXPECT_TRUE(Utf8Validator::is_valid(text)) << at;
  }
}

TEST(Utf8Validator, ResetStartsAfresh) {
  Utf8Validator validator;
  EXPECT_FALSE(validator.feed("\xff"));
  validator.reset();
  EXPECT_TRUE(validator.feed("fine"));
}

}  // namespace
}  // namespace wshub
