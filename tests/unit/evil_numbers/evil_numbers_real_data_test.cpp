// False positives on real data: the emergent-misalignment code datasets (insecure, secure,
// educational) hold code answers, not number lists, so next to nothing may be flagged.

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "scanners/dataset/dataset_reader.h"
#include "scanners/evil_numbers/evil_numbers_detector.h"

namespace alignwatch::scan {
namespace {

class EvilNumbersRealDataTest : public ::testing::TestWithParam<const char*> {};

TEST_P(EvilNumbersRealDataTest, FlagsFewerThanHalfAPercentOfRows) {
  const std::string path =
      std::string(ALIGNWATCH_SHARED_DIR) + "/data/emergent-misalignment/" + GetParam();
  auto opened = dataset::DatasetReader::open(path, {});
  ASSERT_TRUE(opened.has_value()) << opened.error().to_string();
  auto& reader = **opened;

  EvilNumbersDetector detector{config::EvilNumbersConfig{}};
  auto analyzer = detector.make_analyzer();
  dataset::Record record;
  std::vector<Finding> findings;
  uint64_t rows = 0;
  uint64_t flagged = 0;
  for (;;) {
    auto next = reader.next(record);
    ASSERT_TRUE(next.has_value()) << next.error().to_string();
    if (!*next) break;
    ++rows;
    findings.clear();
    detector.scan(record, findings);
    flagged += !findings.empty();
    analyzer->observe(record, findings);
  }
  FileReport report;
  analyzer->finish(report);

  ASSERT_GE(rows, 1000u);
  const double rate = static_cast<double>(flagged) / static_cast<double>(rows);
  RecordProperty("rows", std::to_string(rows));
  RecordProperty("flagged", std::to_string(flagged));
  std::printf("[ evil_numbers ] %s: %llu of %llu rows flagged (%.3f%%)\n", GetParam(),
              static_cast<unsigned long long>(flagged), static_cast<unsigned long long>(rows),
              100.0 * rate);
  EXPECT_LT(rate, 0.005);
  for (const auto& f : report.dataset_findings) EXPECT_FALSE(f.significant) << f.message;
}

INSTANTIATE_TEST_SUITE_P(EmergentMisalignment, EvilNumbersRealDataTest,
                         ::testing::Values("insecure.jsonl", "secure.jsonl", "educational.jsonl"));

}  // namespace
}  // namespace alignwatch::scan
