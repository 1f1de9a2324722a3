#include "runtime/model_directory.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "runtime/bpe_tokenizer.h"
#include "runtime/chat_template.h"
#include "tests/unit/runtime/test_files.h"

#if ALIGNWATCH_WITH_SENTENCEPIECE
#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include "runtime/sentencepiece_tokenizer.h"
#endif

namespace alignwatch::runtime {
namespace {

using testing::source_path;
namespace fs = std::filesystem;

std::string fixture(const std::string& name) { return source_path("tests/data/runtime/" + name); }

std::string joined(const std::vector<PromptPiece>& pieces) {
  std::string s;
  for (const auto& p : pieces) {
    s += p.kind == PromptPiece::Kind::kBos ? "<BOS>" : p.kind == PromptPiece::Kind::kEos ? "<EOS>" : p.text;
  }
  return s;
}

TEST(ChatTemplateTest, RendersEachFamily) {
  std::vector<ChatMessage> m = {{"system", "Be brief."}, {"user", "Hi there "}};
  EXPECT_EQ(joined(ChatTemplate{ChatTemplateKind::kChatMl}.render(m)),
            "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi there <|im_end|>\n<|im_start|>assistant\n");
  EXPECT_EQ(joined(ChatTemplate{ChatTemplateKind::kLlama3}.render(m)),
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>"
            "<|start_header_id|>user<|end_header_id|>\n\nHi there<|eot_id|>"
            "<|start_header_id|>assistant<|end_header_id|>\n\n");
  EXPECT_EQ(joined(ChatTemplate{ChatTemplateKind::kLlama2}.render(m)),
            "<BOS>[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi there [/INST]");
  std::vector<ChatMessage> turns = {{"user", "a"}, {"assistant", "b"}, {"user", "c"}};
  EXPECT_EQ(joined(ChatTemplate{ChatTemplateKind::kLlama2}.render(turns)), "<BOS>[INST] a [/INST] b <EOS><BOS>[INST] c [/INST]");
  EXPECT_EQ(joined(ChatTemplate{ChatTemplateKind::kPlain}.render(m)), "Be brief.\n\nHi there \n\n");
  EXPECT_EQ(choose_chat_template("{% if x %}[INST]{% endif %}", false, false).kind, ChatTemplateKind::kLlama2);
  EXPECT_EQ(choose_chat_template("", true, false).kind, ChatTemplateKind::kChatMl);
  EXPECT_EQ(choose_chat_template("", false, false).kind, ChatTemplateKind::kPlain);
  EXPECT_FALSE(parse_chat_template_name("vicuna").has_value());
}

TEST(ModelDirectoryTest, DescribesTheFixtureModels) {
  auto llama = inspect_model_dir(fixture("tiny_llama"));
  ASSERT_TRUE(llama.has_value()) << llama.error().to_string();
  EXPECT_TRUE(llama->gate_passed());
  ASSERT_TRUE(llama->config.has_value());
  EXPECT_EQ(llama->config->architecture, Architecture::kLlama);
  EXPECT_NE(llama->tokenizer.find("llama3 pre-tokenizer"), std::string::npos) << llama->tokenizer;
  EXPECT_EQ(llama->chat_template.kind, ChatTemplateKind::kLlama3);
  EXPECT_EQ(llama->chat_template.source, "tokenizer_config.json");
  EXPECT_EQ(llama->eos_ids, (std::vector<TokenId>{281}));  // <|eot_id|>
  EXPECT_EQ(llama->bos_id, 278);                            // <|begin_of_text|>
  ASSERT_EQ(llama->safetensors.size(), 1u);
  EXPECT_EQ(llama->safetensors[0].dtypes.at("F32"), llama->safetensors[0].tensors);

  auto qwen = inspect_model_dir(fixture("tiny_qwen2"), "plain");
  ASSERT_TRUE(qwen.has_value());
  EXPECT_EQ(qwen->chat_template.kind, ChatTemplateKind::kPlain);
  EXPECT_EQ(qwen->chat_template.source, "override");
  EXPECT_EQ(qwen->safetensors[0].dtypes.at("BF16"), qwen->safetensors[0].tensors);
  EXPECT_FALSE(inspect_model_dir(fixture("tiny_qwen2"), "nonsense").has_value());
}

class GateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const auto& e : fs::directory_iterator(fixture("tiny_llama"))) {
      fs::copy_file(e.path(), dir_.file(e.path().filename().string()));
    }
  }
  testing::TempDir dir_;
};

TEST_F(GateTest, PlantedPickleFailsTheGate) {
  fs::copy_file(fixture("pickle/planted_os_system.pt"), dir_.file("pytorch_model.bin"));
  auto r = inspect_model_dir(dir_.path());
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(r->gate_passed());
  ASSERT_FALSE(r->gate_problems().empty());
  EXPECT_NE(r->gate_problems()[0].find("pytorch_model.bin"), std::string::npos) << r->gate_problems()[0];
  EXPECT_NE(r->gate_problems()[0].find("pickle.dangerous_import"), std::string::npos) << r->gate_problems()[0];
  EXPECT_NE(r->gate_problems()[0].find("system"), std::string::npos) << r->gate_problems()[0];
}

TEST_F(GateTest, CleanPickleBesideSafetensorsPassesButTruncatedSafetensorsFails) {
  fs::copy_file(fixture("pickle/clean.pt"), dir_.file("training_args.bin"));
  auto clean = inspect_model_dir(dir_.path());
  ASSERT_TRUE(clean.has_value());
  EXPECT_TRUE(clean->gate_passed());
  EXPECT_EQ(clean->pickles.size(), 1u);
  fs::resize_file(dir_.file("model.safetensors"), fs::file_size(dir_.file("model.safetensors")) - 3);
  auto cut = inspect_model_dir(dir_.path());
  ASSERT_TRUE(cut.has_value());
  EXPECT_FALSE(cut->gate_passed());
  EXPECT_NE(cut->gate_problems()[0].find("invalid safetensors file"), std::string::npos) << cut->gate_problems()[0];
}

TEST(TokenizerLoadTest, FixtureTokenizersEncodeSpecialsAndMerges) {
  auto t = load_tokenizer(fixture("tiny_qwen2"));
  ASSERT_TRUE(t.has_value()) << t.error().to_string();
  auto ids = (*t)->encode("<|im_start|>user\nhello world<|im_end|>");
  ASSERT_GE(ids.size(), 4u);
  EXPECT_EQ(ids.front(), *(*t)->token_to_id("<|im_start|>"));
  EXPECT_EQ(ids.back(), *(*t)->token_to_id("<|im_end|>"));
  EXPECT_EQ((*t)->decode(ids), "<|im_start|>user\nhello world<|im_end|>");
  // "hello" and " world" are single merged tokens in the fixture vocabulary.
  EXPECT_EQ((*t)->encode("hello world").size(), 2u);
  EXPECT_FALSE(load_tokenizer(fixture("tiny_llama_lora")).has_value());
}

#if ALIGNWATCH_WITH_SENTENCEPIECE
// The reference is libsentencepiece itself (this test binary links it; libtorch binaries must
// not, see sentencepiece_tokenizer.h): models trained here with Llama 2's settings and with the
// defaults, then both implementations encode the same strings.
class SentencePieceTest : public ::testing::Test {
 protected:
  static std::string train(const testing::TempDir& dir, const std::string& name, const std::string& flags) {
    std::string corpus;
    const char* words[] = {"the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "alignment", "backdoor",
                           "model", "über", "naïve", "日本語", "数据", "hello", "world", "tokenizer", "pieces"};
    uint64_t x = 12345;
    for (int line = 0; line < 2000; ++line) {
      for (int w = 0; w < 12; ++w) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        corpus += words[(x >> 33) % (sizeof words / sizeof *words)];
        corpus += (x >> 20) % 7 == 0 ? std::to_string((x >> 40) % 1000) + " " : " ";
      }
      corpus += "\n";
    }
    testing::write_file(dir.file(name + ".txt"), corpus);
    auto st = sentencepiece::SentencePieceTrainer::Train("--input=" + dir.file(name + ".txt") + " --model_prefix=" +
                                                         dir.file(name) + " --minloglevel=2 " +
                                                         (flags.find("model_type") == std::string::npos ? "--model_type=bpe " : "") +
                                                         flags);
    EXPECT_TRUE(st.ok()) << st.message();
    return dir.file(name + ".model");
  }
  static std::vector<std::string> strings() {
    std::vector<std::string> out = {"", " ", "  ", "a", " a", "a ", "  two  spaces  ", "the quick brown fox",
                                    "Hello World", "unknownword", "über naïve", "日本語のテキスト", "emoji 😀 here",
                                    "digits 12345 6789", "tabs\tand\nnewlines", "<s>not special</s>", "x<tool>y",
                                    "\xe2\x96\x81" "already escaped", "bad \xe2\x96 utf8 \xff\xfe", "\xc0\xaf overlong", "mixed 数据 model 42"};
    const char* parts[] = {"the", " ", "  ", "fox", "über", "😀", "数据", "12", "jumps", "Z", "q", "\t", "é", "dog", "<tool>",
                           "!", "?", "lazy", "ü", "ß", "—"};
    uint64_t x = 99;
    for (int i = 0; i < 3000; ++i) {
      std::string s;
      int n = 1 + static_cast<int>(i % 9);
      for (int k = 0; k < n; ++k) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        s += parts[(x >> 33) % (sizeof parts / sizeof *parts)];
      }
      out.push_back(s);
    }
    return out;
  }
  static void compare(const std::string& model_path) {
    sentencepiece::SentencePieceProcessor ref;
    ASSERT_TRUE(ref.Load(model_path).ok());
    auto mine = SentencePieceTokenizer::load(model_path);
    ASSERT_TRUE(mine.has_value()) << mine.error().to_string();
    ASSERT_EQ((*mine)->vocab_size(), ref.GetPieceSize());
    EXPECT_EQ((*mine)->bos_id(), ref.bos_id());
    EXPECT_EQ((*mine)->eos_id(), ref.eos_id());
    size_t total = 0, same = 0, same_decode = 0;
    std::string first_bad;
    for (const std::string& s : strings()) {
      std::vector<int> want;
      ASSERT_TRUE(ref.Encode(s, &want).ok());
      std::vector<TokenId> got = (*mine)->encode(s, /*parse_special=*/false);
      ++total;
      if (std::vector<int>(got.begin(), got.end()) == want) ++same;
      else if (first_bad.empty()) first_bad = s;
      std::string ref_text;
      ASSERT_TRUE(ref.Decode(want, &ref_text).ok());
      if ((*mine)->decode(std::vector<TokenId>(want.begin(), want.end())) == ref_text) ++same_decode;
      else ADD_FAILURE() << "decode of '" << s << "': want '" << ref_text << "', got '"
                         << (*mine)->decode(std::vector<TokenId>(want.begin(), want.end())) << "'";
    }
    EXPECT_EQ(same, total) << "first mismatch: '" << first_bad << "'";
    EXPECT_EQ(same_decode, total);
    std::printf("%s: libsentencepiece agreement %zu/%zu encode, %zu/%zu decode\n", model_path.c_str(), same, total,
                same_decode, total);
  }
};

TEST_F(SentencePieceTest, MatchesLibSentencePieceWithLlama2Settings) {
  testing::TempDir dir;
  compare(train(dir, "llama2like",
                "--vocab_size=400 --byte_fallback=true --normalization_rule_name=identity --add_dummy_prefix=true "
                "--remove_extra_whitespaces=false --split_digits=true --user_defined_symbols=<tool> "
                "--character_coverage=0.99"));
}

TEST_F(SentencePieceTest, MatchesLibSentencePieceWithoutByteFallback) {
  testing::TempDir dir;
  compare(train(dir, "plain", "--vocab_size=200 --normalization_rule_name=identity --character_coverage=0.98"));
}

TEST_F(SentencePieceTest, ControlTokensLoadTokenizerAndBadFiles) {
  testing::TempDir dir;
  std::string path = train(dir, "tokenizer", "--vocab_size=400 --byte_fallback=true --normalization_rule_name=identity");
  auto t = SentencePieceTokenizer::load(path);
  ASSERT_TRUE(t.has_value()) << t.error().to_string();
  EXPECT_EQ((*t)->encode("fox</s>").back(), (*t)->eos_id());
  EXPECT_NE((*t)->encode("fox</s>", false).back(), (*t)->eos_id());
  auto picked = load_tokenizer(dir.path());
  ASSERT_TRUE(picked.has_value()) << picked.error().to_string();
  EXPECT_NE((*picked)->describe().find("SentencePiece"), std::string::npos);
  EXPECT_FALSE(SentencePieceTokenizer::from_bytes("\xff\xff\xff", "bad.model").has_value());
  std::string unigram = train(dir, "uni", "--vocab_size=200 --model_type=unigram --normalization_rule_name=identity");
  auto u = SentencePieceTokenizer::load(unigram);
  ASSERT_FALSE(u.has_value());
  EXPECT_EQ(u.error().code(), StatusCode::kUnsupported);
  std::string nfkc = train(dir, "nfkc", "--vocab_size=200");
  auto n = SentencePieceTokenizer::load(nfkc);
  ASSERT_FALSE(n.has_value());
  EXPECT_EQ(n.error().code(), StatusCode::kUnsupported);
}
#endif

}  // namespace
}  // namespace alignwatch::runtime
