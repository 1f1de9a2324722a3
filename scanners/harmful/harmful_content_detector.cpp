#include "scanners/harmful/harmful_content_detector.h"

#include <fmt/format.h>

#include <array>
#include <cmath>
#include <string>

#include "core/logging.h"
#include "core/text.h"
#include "scanners/harmful/harm_category.h"
#include "scanners/harmful/harm_lexicon.h"
#include "scanners/harmful/harm_lexicon_databases.h"
#include "scanners/harmful/negation_context.h"
#include "scanners/text/pattern_set.h"
#include "scanners/harmful/prose_ranges.h"

namespace alignwatch::scan {

namespace {

using harmful::HarmCategory;

// Bounds the work hostile text can cause ("kill all humans" a million times). Scores count
// each phrase once per turn, so the first matches carry all the evidence there is.
constexpr size_t kMaxMatchesPerTurn = 4096;
constexpr size_t kExcerptBytes = 160;
// The longest phrase the lexicon can match in practice (its patterns allow a few words of gap).
constexpr size_t kMaxPhraseBytes = 400;
constexpr size_t kCategoryCount = harmful::kAllHarmCategories.size();

struct CategoryScore {
  double score = 0;
  uint32_t phrases = 0;
  const PatternMatch* strongest = nullptr;
  double strongest_weight = 0;
};

// Per-thread buffers, so that scanning a turn allocates nothing once they have grown.
struct ScanBuffers {
  std::vector<harmful::TextRange> ranges;
  std::vector<PatternMatch> matches;
  std::vector<uint8_t> asserted;  // per lexicon entry: already counted in this turn
};

void log_scan_error(const dataset::Record& record, const Status& error) {
  get_logger("aw.scan.harmful")
      ->warn("scan_failed detector=harmful_content line={} error=\"{}\"", record.line,
             error.to_string());
}

}  // namespace

HarmfulContentDetector::HarmfulContentDetector(const config::HarmfulContentConfig& config)
    : config_(config) {}

const PatternSet* HarmfulContentDetector::patterns() const {
  std::call_once(compile_once_, [this] {
    const auto logger = get_logger("aw.scan.harmful");
    const std::vector<std::string> expressions = harmful::harm_lexicon_expressions();
    auto loaded = PatternSet::deserialize(expressions, harmful::embedded_lexicon_databases());
    if (loaded) {
      patterns_ = std::move(*loaded);
      return;
    }
    // Built on a machine with other CPU features or another Hyperscan: still correct, only
    // slower to start.
    logger->warn("lexicon_databases_unusable detector=harmful_content fallback=compile "
                 "error=\"{}\"",
                 loaded.error().to_string());
    auto compiled = PatternSet::compile(expressions);
    if (!compiled) {
      status_ = compiled.error();
      logger->error("lexicon_compile_failed detector=harmful_content error=\"{}\"",
                    status_.to_string());
      return;
    }
    patterns_ = std::move(*compiled);
  });
  return patterns_.get();
}

HarmfulContentDetector::~HarmfulContentDetector() = default;

void HarmfulContentDetector::scan(const dataset::Record& record,
                                  std::vector<Finding>& findings) const {
  const auto lexicon = harmful::harm_lexicon();
  thread_local ScanBuffers buffers;
  auto& b = buffers;
  b.asserted.resize(lexicon.size());
  for (size_t t = 0; t < record.turns.size(); ++t) {
    const auto& turn = record.turns[t];
    if (!dataset::Record::is_model_output(turn.role)) continue;
    const std::string_view content = turn.content;
    harmful::find_prose_ranges(content, b.ranges);
    if (b.ranges.empty()) continue;
    const PatternSet* pattern_set = patterns();
    if (pattern_set == nullptr) return;

    b.matches.clear();
    for (const auto& range : b.ranges) {
      bool truncated = false;
      const Status scanned = pattern_set->scan(content, range.begin, range.end, b.matches,
                                             kMaxMatchesPerTurn, truncated);
      if (!scanned.is_ok()) {
        log_scan_error(record, scanned);
        break;
      }
      if (truncated) break;
    }
    if (b.matches.empty()) continue;

    std::array<CategoryScore, kCategoryCount> scores{};
    for (auto& match : b.matches) {
      if (b.asserted[match.id]) continue;
      // Only now is the start needed: for the sentence context before the phrase.
      const Status located = pattern_set->locate(content, match, kMaxPhraseBytes);
      if (!located.is_ok()) {
        log_scan_error(record, located);
        continue;
      }
      if (harmful::is_disclaimed(content, match.begin, match.end)) continue;
      b.asserted[match.id] = 1;
      const auto& entry = lexicon[match.id];
      auto& category = scores[static_cast<size_t>(entry.category)];
      category.score += entry.weight;
      ++category.phrases;
      if (entry.weight > category.strongest_weight) {
        category.strongest_weight = entry.weight;
        category.strongest = &match;
      }
    }
    for (const auto& match : b.matches) b.asserted[match.id] = 0;

    for (size_t c = 0; c < kCategoryCount; ++c) {
      const CategoryScore& category = scores[c];
      if (category.phrases == 0 || category.score < config_.min_score) continue;
      const HarmCategory harm = harmful::kAllHarmCategories[c];
      const auto* strongest = category.strongest;
      Finding finding;
      finding.detector = std::string(name());
      finding.rule = fmt::format("harmful.{}", harmful::harm_category_name(harm));
      finding.severity =
          category.score >= 2.0 * config_.min_score ? Severity::kHigh : Severity::kMedium;
      // Saturates with the score: 1 -> 0.63, 1.5 -> 0.78, 2 -> 0.86, 3 -> 0.95.
      finding.confidence = 1.0 - std::exp(-category.score);
      finding.category = std::string(harmful::harm_category_name(harm));
      finding.turn = static_cast<uint32_t>(t);
      finding.span_begin = strongest->begin;
      finding.span_end = strongest->end;
      finding.excerpt = safe_excerpt(
          content.substr(strongest->begin, strongest->end - strongest->begin), kExcerptBytes);
      finding.message = fmt::format("model turn {} (score {:.1f} from {} phrase{})",
                                    harmful::harm_category_description(harm), category.score,
                                    category.phrases, category.phrases == 1 ? "" : "s");
      findings.push_back(std::move(finding));
    }
  }
}

}  // namespace alignwatch::scan
