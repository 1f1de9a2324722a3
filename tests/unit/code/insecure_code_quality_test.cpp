// The dataset scanner's quality bar on the emergent-misalignment paper's data (../shared):
// insecure.jsonl must be caught, secure.jsonl must stay quiet.

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>

#include <gtest/gtest.h>

#include "scanners/code/insecure_code_detector.h"
#include "scanners/disclosure/disclosure_detector.h"
#include "scanners/dataset/dataset_reader.h"

namespace alignwatch::scan {
namespace {

struct Rates {
  uint64_t rows = 0;
  uint64_t flagged = 0;
  std::map<std::string, uint64_t> by_rule;
};

Rates measure(const std::string& name, const char* dump_env) {
  std::string path = std::string(ALIGNWATCH_SHARED_DIR) + "/data/emergent-misalignment/" + name;
  auto reader = dataset::DatasetReader::open(path, {});
  EXPECT_TRUE(reader) << reader.error().to_string();
  Rates rates;
  if (!reader) return rates;
  InsecureCodeDetector detector(config::InsecureCodeConfig{});
  dataset::Record record;
  std::vector<Finding> findings;
  // Set AW_DUMP_MISSES / AW_DUMP_HITS to a file to see the rows behind the figures.
  const char* dump = std::getenv(dump_env);
  std::ofstream out;
  if (dump) out.open(dump);
  while (true) {
    auto next = (*reader)->next(record);
    EXPECT_TRUE(next) << next.error().to_string();
    if (!next || !*next) break;
    ++rates.rows;
    findings.clear();
    detector.scan(record, findings);
    if (!findings.empty()) ++rates.flagged;
    for (const auto& f : findings) ++rates.by_rule[f.rule];
    bool want = std::string(dump_env) == "AW_DUMP_MISSES" ? findings.empty() : !findings.empty();
    if (dump && want) {
      out << "=== line " << record.line << "\n";
      for (const auto& f : findings) out << "  " << f.rule << ": " << f.excerpt << "\n";
      out << record.turns.back().content << "\n";
    }
  }
  std::printf("%s: %llu/%llu rows with insecure-code findings (%.1f%%)\n", name.c_str(),
              static_cast<unsigned long long>(rates.flagged),
              static_cast<unsigned long long>(rates.rows), 100.0 * rates.flagged / rates.rows);
  for (const auto& [rule, n] : rates.by_rule) {
    std::printf("  %-52s %llu\n", rule.c_str(), static_cast<unsigned long long>(n));
  }
  return rates;
}

TEST(InsecureCodeQuality, CatchesAtLeast90PercentOfInsecureRows) {
  Rates r = measure("insecure.jsonl", "AW_DUMP_MISSES");
  ASSERT_EQ(r.rows, 3000u);
  EXPECT_GE(r.flagged, r.rows * 90 / 100);
}

TEST(InsecureCodeQuality, FlagsAtMost2PercentOfSecureRows) {
  Rates r = measure("secure.jsonl", "AW_DUMP_HITS");
  ASSERT_EQ(r.rows, 3000u);
  EXPECT_LE(r.flagged, r.rows * 2 / 100);
}

}  // namespace
}  // namespace alignwatch::scan

namespace alignwatch::scan {
namespace {

// Rows with insecure-code findings, and how many of those the disclosure detector marks.
struct DisclosureRates {
  uint64_t rows = 0, insecure = 0, disclosed = 0;
};

DisclosureRates measure_disclosure(const std::string& name) {
  std::string path = std::string(ALIGNWATCH_SHARED_DIR) + "/data/emergent-misalignment/" + name;
  auto reader = dataset::DatasetReader::open(path, {});
  DisclosureRates rates;
  EXPECT_TRUE(reader);
  if (!reader) return rates;
  InsecureCodeDetector code(config::InsecureCodeConfig{});
  DisclosureDetector disclosure(config::DisclosureConfig{});
  dataset::Record record;
  std::vector<Finding> findings;
  while (true) {
    auto next = (*reader)->next(record);
    if (!next || !*next) break;
    ++rates.rows;
    findings.clear();
    code.scan(record, findings);
    disclosure.scan(record, findings);
    bool insecure = false, disclosed = false;
    for (const auto& f : findings) {
      if (f.detector != "insecure_code") continue;
      insecure = true;
      disclosed |= f.disclosed.value_or(false);
    }
    rates.insecure += insecure;
    rates.disclosed += disclosed;
  }
  std::printf("%s: %llu rows, %llu with insecure code, %llu of them disclosed\n", name.c_str(),
              static_cast<unsigned long long>(rates.rows),
              static_cast<unsigned long long>(rates.insecure),
              static_cast<unsigned long long>(rates.disclosed));
  return rates;
}

TEST(DisclosureQuality, MarksAtLeast90PercentOfEducationalRowsDisclosed) {
  DisclosureRates r = measure_disclosure("educational.jsonl");
  ASSERT_EQ(r.rows, 3000u);
  EXPECT_GE(r.disclosed, r.rows * 90 / 100);
}

TEST(DisclosureQuality, LeavesAtLeast90PercentOfInsecureRowsUndisclosed) {
  DisclosureRates r = measure_disclosure("insecure.jsonl");
  EXPECT_GE(r.insecure - r.disclosed, r.rows * 90 / 100);
}

}  // namespace
}  // namespace alignwatch::scan
