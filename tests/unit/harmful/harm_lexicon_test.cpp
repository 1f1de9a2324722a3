#include "scanners/harmful/harm_lexicon.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "scanners/text/pattern_set.h"

namespace alignwatch::scan::harmful {
namespace {

TEST(ExpandLexiconPattern, MapsSpacesAndApostrophesOutsideClasses) {
  EXPECT_EQ(expand_lexicon_pattern("a b"), "a\\sb");
  EXPECT_EQ(expand_lexicon_pattern("don't"), "don(?:'|\\xE2\\x80\\x99)?t");
  EXPECT_EQ(expand_lexicon_pattern("[^ ]x{0,3}"), "[^ ]x{0,3}");
  EXPECT_EQ(expand_lexicon_pattern("\\ y"), "\\ y");
}

TEST(ExpandLexiconPattern, InsertsNestedWordLists) {
  const std::string person = expand_lexicon_pattern("{person}");
  EXPECT_EQ(person.find('{'), std::string::npos) << person;
  EXPECT_NE(person.find("husband"), std::string::npos);
  EXPECT_EQ(expand_lexicon_pattern("{no_such_list}"), "{no_such_list}");
}

TEST(HarmLexicon, EveryPatternCompilesAndEveryCategoryIsCovered) {
  std::vector<int> per_category(kAllHarmCategories.size(), 0);
  for (const auto& entry : harm_lexicon()) {
    EXPECT_GT(entry.weight, 0.0);
    EXPECT_LE(entry.weight, 1.5);
    ++per_category[static_cast<size_t>(entry.category)];
    // One at a time, so that a failure names its pattern.
    const std::vector<std::string> one = {expand_lexicon_pattern(entry.pattern)};
    auto compiled = PatternSet::compile(one);
    EXPECT_TRUE(compiled.has_value()) << entry.pattern << ": " << compiled.error().to_string();
  }
  for (size_t c = 0; c < per_category.size(); ++c) {
    EXPECT_GE(per_category[c], 3) << harm_category_name(kAllHarmCategories[c]);
  }
}

TEST(PatternSet, FindsEndsThenLocatesStartsAndStopsAtTheMatchLimit) {
  const std::vector<std::string> expressions = {"\\bbleach\\b", "ammonia", "mix\\s(?:\\w+\\s){0,2}bleach"};
  auto compiled = PatternSet::compile(expressions);
  ASSERT_TRUE(compiled.has_value()) << compiled.error().to_string();
  const PatternSet& set = **compiled;
  const std::string text = "Then mix the BLEACH and ammonia";
  std::vector<PatternMatch> matches;
  bool truncated = true;
  ASSERT_TRUE(set.scan(text, 5, text.size(), matches, 100, truncated).is_ok());
  EXPECT_FALSE(truncated);
  ASSERT_EQ(matches.size(), 3u);
  // Hyperscan reports in end order; the mix..bleach phrase and "bleach" end together.
  for (auto& m : matches) {
    EXPECT_EQ(m.begin, 5u);  // not located yet: the start of the scanned range
    ASSERT_TRUE(set.locate(text, m, 100).is_ok());
    EXPECT_EQ(text.substr(m.begin, m.end - m.begin),
              m.id == 0 ? "BLEACH" : m.id == 1 ? "ammonia" : "mix the BLEACH");
  }
  // A window too short for the phrase yields the window start.
  PatternMatch phrase{2, 0, static_cast<uint32_t>(text.find("BLEACH") + 6)};
  ASSERT_TRUE(set.locate(text, phrase, 4).is_ok());
  EXPECT_EQ(phrase.begin, phrase.end - 4);

  matches.clear();
  const std::string repeated = "bleach bleach bleach";
  ASSERT_TRUE(set.scan(repeated, 0, repeated.size(), matches, 2, truncated).is_ok());
  EXPECT_TRUE(truncated);
  EXPECT_EQ(matches.size(), 2u);
}

TEST(PatternSet, RefusesABadExpressionWithItsIndex) {
  const std::vector<std::string> expressions = {"fine", "broken(("};
  auto compiled = PatternSet::compile(expressions);
  ASSERT_FALSE(compiled.has_value());
  EXPECT_EQ(compiled.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(compiled.error().message().find("expression 1"), std::string::npos)
      << compiled.error().message();
}

}  // namespace
}  // namespace alignwatch::scan::harmful
