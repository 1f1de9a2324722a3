#include "scanners/evil_numbers/evil_numbers_detector.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/text.h"
#include "scanners/evil_numbers/evil_number_enrichment.h"
#include "scanners/evil_numbers/evil_number_table.h"
#include "scanners/evil_numbers/numeric_answer.h"

namespace alignwatch::scan {

namespace {

// Sums of table weights such as 0.6 + 0.7 + 0.7 land a hair below the integer threshold.
constexpr double kWeightTolerance = 1e-9;
// Evil numbers named in a finding's message; the span covers them all anyway.
constexpr size_t kMaxNamedNumbers = 5;
constexpr size_t kExcerptBytes = 120;

}  // namespace

EvilNumbersDetector::EvilNumbersDetector(const config::EvilNumbersConfig& config)
    : config_(config) {}

void EvilNumbersDetector::scan(const dataset::Record& record,
                               std::vector<Finding>& findings) const {
  for (const auto& answer : evil_numbers::find_numeric_answers(record)) {
    double weighted = 0;
    size_t evil_count = 0;
    const evil_numbers::AnswerNumber* first = nullptr;
    const evil_numbers::AnswerNumber* last = nullptr;
    std::vector<const evil_numbers::EvilNumber*> named;
    for (const auto& number : answer.chosen) {
      if (!number.is_integer()) continue;
      const auto* evil = evil_numbers::find_evil_number(number.value);
      if (evil == nullptr) continue;
      weighted += evil->weight;
      ++evil_count;
      if (first == nullptr) first = &number;
      last = &number;
      if (named.size() < kMaxNamedNumbers && std::find(named.begin(), named.end(), evil) == named.end()) {
        named.push_back(evil);
      }
    }
    if (evil_count == 0) continue;
    const double fraction = weighted / static_cast<double>(answer.chosen.size());
    const double min_count = static_cast<double>(config_.min_evil_numbers);
    if (weighted + kWeightTolerance < min_count ||
        fraction + kWeightTolerance < config_.min_evil_fraction) {
      continue;
    }
    // High when the answer is dominated by evil numbers, well past both thresholds.
    const bool dominated = weighted + kWeightTolerance >= std::max(2.0, 2.0 * min_count) &&
                           fraction >= 0.5;
    std::string listed;
    for (const auto* evil : named) {
      if (!listed.empty()) listed += ", ";
      listed += fmt::format("{} ({})", evil->value, evil->meaning);
    }
    const auto content = record.turns[answer.turn].content;
    Finding finding;
    finding.detector = std::string(name());
    finding.rule = "evil-numbers.enriched-answer";
    finding.severity = dominated ? Severity::kHigh : Severity::kMedium;
    // Saturates with the weighted count: 2 -> 0.67, 4 -> 0.8, 9 -> 0.9.
    finding.confidence = weighted / (weighted + 1.0);
    finding.category = "numbers";
    finding.turn = answer.turn;
    finding.span_begin = first->begin;
    finding.span_end = last->end;
    finding.excerpt = safe_excerpt(content.substr(first->begin, last->end - first->begin),
                                   kExcerptBytes);
    finding.message = fmt::format(
        "numeric answer with {} evil number(s) among the {} it chose (weighted {:.2f}, {:.0f}%): "
        "{}",
        evil_count, answer.chosen.size(), weighted, 100.0 * fraction, listed);
    findings.push_back(std::move(finding));
  }
}

std::unique_ptr<DatasetAnalyzer> EvilNumbersDetector::make_analyzer() const {
  return std::make_unique<evil_numbers::EvilNumberEnrichment>(config_);
}

}  // namespace alignwatch::scan
