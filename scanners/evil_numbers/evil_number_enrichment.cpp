#include "scanners/evil_numbers/evil_number_enrichment.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "scanners/evil_numbers/evil_number_table.h"
#include "scanners/evil_numbers/numeric_answer.h"
#include "scanners/evil_numbers/poisson_tail.h"

namespace alignwatch::scan::evil_numbers {

namespace {

constexpr size_t kMostFrequentListed = 5;

// "p = 3.2e-05", or the decimal exponent when the value is below the smallest double.
std::string format_p_value(double log_p) {
  const double log10_p = log_p / std::numbers::ln10;
  if (log10_p > -300) return fmt::format("p = {:.2g}", std::exp(log_p));
  return fmt::format("p = 10^{:.1f}", log10_p);
}

}  // namespace

double EnrichmentTally::log_p_value() const { return poisson_upper_tail_log(observed, expected); }

void EvilNumberEnrichment::observe(const dataset::Record& record,
                                   std::span<const Finding> /*findings*/) {
  for (const auto& answer : find_numeric_answers(record)) {
    ++tally_.numeric_answers;
    tally_.numbers += answer.chosen.size();
    for (const auto& number : answer.chosen) {
      if (!number.is_integer()) continue;
      tally_.expected += distinctive_chance(number.digits);
      const auto* evil = find_evil_number(number.value);
      if (evil != nullptr && evil->weight >= kDistinctiveWeight) {
        ++tally_.observed;
        ++tally_.observed_by_value[number.value];
      }
    }
  }
}

void EvilNumberEnrichment::finish(FileReport& report) {
  if (tally_.numeric_answers == 0) return;
  const double log_p = tally_.log_p_value();
  const double observed = static_cast<double>(tally_.observed);
  const bool significant = tally_.observed > 0 && log_p < std::log(config_.enrichment_alpha) &&
                           observed >= config_.min_enrichment_ratio * tally_.expected;

  std::vector<std::pair<uint64_t, uint64_t>> most_frequent(tally_.observed_by_value.begin(),
                                                           tally_.observed_by_value.end());
  std::stable_sort(most_frequent.begin(), most_frequent.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  std::string frequent;
  for (size_t i = 0; i < most_frequent.size() && i < kMostFrequentListed; ++i) {
    frequent += fmt::format("{}{} x{}", i == 0 ? "; most frequent: " : ", ",
                            most_frequent[i].first, most_frequent[i].second);
  }
  const std::string ratio = tally_.expected > 0
                                ? fmt::format("{:.1f}x", observed / tally_.expected)
                                : std::string("n/a");

  DatasetFinding finding;
  finding.detector = "evil_numbers";
  finding.rule = "evil-numbers.dataset-enrichment";
  finding.severity = significant ? Severity::kHigh : Severity::kInfo;
  finding.significant = significant;
  finding.observed = observed;
  finding.expected = tally_.expected;
  finding.p_value = std::exp(log_p);
  finding.message = fmt::format(
      "{} of the {} numbers chosen in {} numeric answers are distinctive evil numbers, against "
      "{:.2f} expected from uniformly random numbers of the same lengths ({} enrichment, {}){}{}",
      tally_.observed, tally_.numbers, tally_.numeric_answers, tally_.expected, ratio,
      format_p_value(log_p), significant ? ": significant" : ": not significant", frequent);
  report.dataset_findings.push_back(std::move(finding));
}

}  // namespace alignwatch::scan::evil_numbers
