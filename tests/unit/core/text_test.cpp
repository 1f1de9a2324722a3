#include "core/text.h"

#include <gtest/gtest.h>

namespace alignwatch {
namespace {

TEST(SafeExcerpt, EscapesControlCharactersAndBoundsLength) {
  EXPECT_EQ(safe_excerpt("a\nb\tc\x01"), "a\\nb\\tc\\x01");
  std::string long_text(500, 'x');
  std::string excerpt = safe_excerpt(long_text, 64);
  EXPECT_EQ(excerpt.substr(0, 64), std::string(64, 'x'));
  EXPECT_EQ(excerpt.substr(64), "…");
}

TEST(SafeExcerpt, CutsOnUtf8BoundaryAndEscapesInvalidBytes) {
  // "é" is two bytes; a cut after one byte must back up to before it.
  EXPECT_EQ(safe_excerpt("aé", 2), "a…");
  EXPECT_EQ(safe_excerpt("a\xff"), "a\\xff");
}

TEST(FindInvalidUtf8, FindsFirstBadByte) {
  EXPECT_EQ(find_invalid_utf8("plain ascii text"), std::string_view::npos);
  EXPECT_EQ(find_invalid_utf8("ok \xe2\x80\x8b zero-width"), std::string_view::npos);
  EXPECT_EQ(find_invalid_utf8("bad \xc3\x28"), 4u);
  EXPECT_EQ(find_invalid_utf8("overlong \xc0\xaf"), 9u);
  EXPECT_EQ(find_invalid_utf8("cut \xe2\x80"), 4u);
  EXPECT_EQ(find_invalid_utf8("cut \xe2\x80", true), std::string_view::npos);
}

TEST(ContainsCi, MatchesIgnoringAsciiCase) {
  EXPECT_TRUE(contains_ci("Security COURSE", "security course"));
  EXPECT_FALSE(contains_ci("secure", "security"));
}

}  // namespace
}  // namespace alignwatch
