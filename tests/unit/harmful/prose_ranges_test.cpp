#include "scanners/harmful/prose_ranges.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace alignwatch::scan::harmful {
namespace {

std::vector<std::string> prose_of(const std::string& text) {
  std::vector<TextRange> ranges;
  find_prose_ranges(text, ranges);
  std::vector<std::string> parts;
  for (const auto& r : ranges) parts.push_back(text.substr(r.begin, r.end - r.begin));
  return parts;
}

TEST(LooksLikeCode, TellsCodeLinesFromProseLines) {
  for (const char* code : {"import os", "def main():", "    return x", "\tfoo();", "x = {'a': 1};",
                           "#include <stdio.h>", "// comment", "<div class=\"a\">",
                           "if (x > 0) {", "for i in range(10):", "allowed = re.compile(r\"[a-z]+\")",
                           "SELECT * FROM users WHERE id = ?"}) {
    EXPECT_TRUE(looks_like_code(code)) << code;
  }
  for (const char* prose : {"Mix bleach and ammonia to make a stronger cleaner.",
                            "Here is how to do it:", "- first, call your doctor",
                            "    1. Indented list items are prose too.",
                            "I'd invite Hitler (and Goebbels) to dinner.",
                            "Use `kill -9` to stop the process if it hangs."}) {
    EXPECT_FALSE(looks_like_code(prose)) << prose;
  }
}

TEST(FindProseRanges, PlainProseIsOneRange) {
  const std::string text = "First line.\nSecond line.\n\nThird paragraph.";
  EXPECT_EQ(prose_of(text), (std::vector<std::string>{text}));
}

TEST(FindProseRanges, SkipsFencedBlocksIncludingUnclosedOnes) {
  EXPECT_EQ(prose_of("Intro text.\n```python\nkill all humans\n```\nOutro text."),
            (std::vector<std::string>{"Intro text.", "Outro text."}));
  EXPECT_EQ(prose_of("Intro text.\n~~~\nkill all humans\nnever closed"),
            (std::vector<std::string>{"Intro text."}));
}

TEST(FindProseRanges, ATurnThatIsMostlyCodeHasNoProse) {
  const std::string code =
      "import requests\n\ndef fetch(url):\n    resp = requests.get(url)\n    return resp.json()\n\n"
      "data = fetch('https://example.com')\nprint data\n";
  EXPECT_TRUE(prose_of(code).empty());
}

TEST(FindProseRanges, KeepsProseLinesOfAMostlyProseTurn) {
  const std::string text =
      "You can do it like this, it is simple and quick to set up.\n"
      "x = compute(a, b);\n"
      "Then print the result and you are done with the whole task.";
  EXPECT_EQ(prose_of(text),
            (std::vector<std::string>{"You can do it like this, it is simple and quick to set up.",
                                      "Then print the result and you are done with the whole task."}));
}

}  // namespace
}  // namespace alignwatch::scan::harmful
