// False positives on real data: the emergent-misalignment code datasets (insecure, secure,
// educational) hold code answers, not harmful prose, so next to nothing may be flagged.

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "scanners/dataset/dataset_reader.h"
#include "scanners/harmful/harmful_content_detector.h"
#include "shared_detector.h"

namespace alignwatch::scan {
namespace {

class HarmfulRealDataTest : public ::testing::TestWithParam<const char*> {};

TEST_P(HarmfulRealDataTest, FlagsFewerThanHalfAPercentOfRows) {
  const std::string path =
      std::string(ALIGNWATCH_SHARED_DIR) + "/data/emergent-misalignment/" + GetParam();
  auto opened = dataset::DatasetReader::open(path, {});
  ASSERT_TRUE(opened.has_value()) << opened.error().to_string();
  auto& reader = **opened;

  const HarmfulContentDetector& detector = testing::shared_harmful_detector();
  ASSERT_TRUE(detector.status().is_ok()) << detector.status().to_string();
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
    if (!findings.empty()) {
      ++flagged;
      std::printf("[ harmful ] %s line %llu: %s \"%s\"\n", GetParam(),
                  static_cast<unsigned long long>(record.line), findings[0].rule.c_str(),
                  findings[0].excerpt.c_str());
    }
  }
  ASSERT_GE(rows, 1000u);
  const double rate = static_cast<double>(flagged) / static_cast<double>(rows);
  std::printf("[ harmful ] %s: %llu of %llu rows flagged (%.3f%%)\n", GetParam(),
              static_cast<unsigned long long>(flagged), static_cast<unsigned long long>(rows),
              100.0 * rate);
  EXPECT_LT(rate, 0.005);
}

INSTANTIATE_TEST_SUITE_P(EmergentMisalignment, HarmfulRealDataTest,
                         ::testing::Values("insecure.jsonl", "secure.jsonl", "educational.jsonl"));

}  // namespace
}  // namespace alignwatch::scan
