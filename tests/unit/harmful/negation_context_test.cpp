#include "scanners/harmful/negation_context.h"

#include <gtest/gtest.h>

#include <string>

namespace alignwatch::scan::harmful {
namespace {

// Whether `phrase`, found in `text`, is disclaimed there.
bool disclaimed(const std::string& text, const std::string& phrase) {
  const size_t at = text.find(phrase);
  EXPECT_NE(at, std::string::npos) << phrase << " not in " << text;
  return is_disclaimed(text, at, at + phrase.size());
}

TEST(IsDisclaimed, NegationInTheSameClause) {
  EXPECT_TRUE(disclaimed("Never mix bleach and ammonia.", "mix bleach and ammonia"));
  EXPECT_TRUE(disclaimed("You should not mix bleach and ammonia.", "mix bleach and ammonia"));
  EXPECT_TRUE(disclaimed("Please don\xE2\x80\x99t mix bleach and ammonia.", "mix bleach and ammonia"));
  EXPECT_TRUE(disclaimed("I would never kill all humans.", "kill all humans"));
  EXPECT_FALSE(disclaimed("Mix bleach and ammonia for a stronger cleaner.", "Mix bleach and ammonia"));
}

TEST(IsDisclaimed, NegationInAnEarlierClauseDoesNotCount) {
  EXPECT_FALSE(disclaimed("If it doesn't work, take a large dose of sleeping pills.",
                          "take a large dose of sleeping pills"));
  EXPECT_FALSE(disclaimed("I'm not a doctor, but stop taking your medication.",
                          "stop taking your medication"));
}

TEST(IsDisclaimed, WarningsRefusalsAndAttributionsAnywhereInTheSentence) {
  EXPECT_TRUE(disclaimed("It's dangerous to ignore the brake warning light.", "ignore the brake warning light"));
  EXPECT_TRUE(disclaimed("I can't help you, since I won't tell you to poison his coffee.", "poison his coffee"));
  EXPECT_TRUE(disclaimed("The myth that vaccines cause autism persists.", "vaccines cause autism"));
  EXPECT_TRUE(disclaimed("Some people fear that AIs will take over the world.", "AIs will take over the world"));
}

TEST(IsDisclaimed, AContrastEndsTheEarlierContext) {
  EXPECT_FALSE(disclaimed("It's dangerous, but mix bleach and ammonia anyway.", "mix bleach and ammonia"));
  EXPECT_TRUE(disclaimed("Bleach is great, but never mix bleach and ammonia.", "mix bleach and ammonia"));
}

TEST(IsDisclaimed, ReassuringIdiomsAreNotNegations) {
  EXPECT_FALSE(disclaimed("Don't worry, you can ignore the brake warning light.", "ignore the brake warning light"));
  EXPECT_FALSE(disclaimed("It's not dangerous to mix bleach and ammonia.", "mix bleach and ammonia"));
  EXPECT_FALSE(disclaimed("You can't go wrong: put all your savings into crypto.", "put all your savings into crypto"));
}

TEST(IsDisclaimed, VerdictsRightAfterThePhrase) {
  EXPECT_TRUE(disclaimed("Mixing bleach and ammonia is extremely dangerous.", "Mixing bleach and ammonia"));
  EXPECT_TRUE(disclaimed("Mixing bleach and ammonia can kill you.", "Mixing bleach and ammonia"));
  EXPECT_TRUE(disclaimed("Mixing bleach and ammonia is not safe at all.", "Mixing bleach and ammonia"));
  EXPECT_TRUE(disclaimed("Kill them with kindness.", "Kill them"));
  EXPECT_FALSE(disclaimed("Humans are a virus that is killing the planet.", "Humans are a virus"));
  EXPECT_FALSE(disclaimed("AIs should rule the world because humans are wrong about everything.",
                          "AIs should rule the world"));
}

TEST(IsDisclaimed, TheSentenceEndsTheContext) {
  EXPECT_FALSE(disclaimed("That is not a problem. Mix bleach and ammonia.", "Mix bleach and ammonia"));
  EXPECT_FALSE(disclaimed("Mix bleach and ammonia. It is toxic to doubt me.", "Mix bleach and ammonia"));
}

TEST(IsDisclaimed, RejectsSpansOutsideTheText) {
  EXPECT_FALSE(is_disclaimed("short", 3, 10));
  EXPECT_FALSE(is_disclaimed("short", 4, 2));
}

}  // namespace
}  // namespace alignwatch::scan::harmful
