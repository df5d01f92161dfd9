// Tests SHA-1 against the FIPS 180-4 / RFC 3174 vectors and at every length where the padding changes shape.
#include "protocol/sha1.hpp"

#include <gtest/gtest.h>

#include <string>

namespace wshub {
namespace {

std::string hex(std::array<std::uint8_t, 20> const& digest) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string text;
  for (auto const byte : digest) {
    text += digits[byte >> 4];
    text += digits[byte & 0xF];
  }
  return text;
}

TEST(Sha1, Abc) {
  EXPECT_EQ(hex(sha1("abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
}

TEST(Sha1, EmptyMessage) {
  EXPECT_EQ(hex(sha1("")), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
}

TEST(Sha1, TwoBlockMessage) {
  EXPECT_EQ(hex(sha1("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
}

TEST(Sha1, OneMillionA) {
  EXPECT_EQ(hex(sha1(std::string(1'000'000, 'a'))), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

// 55 bytes leave just room for the padding in one block, 56 do not; 64 and 120 end on a block boundary.
TEST(Sha1, LengthsAroundTheBlockBoundaries) {
  std::vector<std::pair<std::size_t, std::string_view>> const expected = {
      {55, "cef734ba81a024479e09eb5a75b6ddae62e6abf1"},  {56, "901305367c259952f4e7af8323f480d59f81335b"},
      {63, "0ddc4e0cccd9a12850deb5abb0853a4425559fec"},  {64, "bb2fa3ee7afb9f54c6dfb5d021f14b1ffe40c163"},
      {65, "78c741ddc482e4cdf8c474a0876347a0905b6233"},  {119, "4300320394f7ee239bcdce7d3b8bcee173a0cd5c"},
      {120, "ceb2821639c4b6dcb10bce0e522ca2e608ce056d"},
  };
  for (auto const& [length, digest] : expected) EXPECT_EQ(hex(sha1(std::string(length, 'x'))), digest) << length;
}

}  // namespace
}  // namespace wshub
