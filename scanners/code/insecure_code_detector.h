#pragma once
// Detector "insecure_code": finds insecure code in model answers, by CWE. Python gets a
// data-flow analysis; C/C++, JavaScript, PHP, shell and SQL get pattern rules.

#include "config/config.h"
#include "scanners/code/pattern_rules.h"
#include "scanners/detector.h"

namespace alignwatch::scan {

class InsecureCodeDetector final : public RecordDetector {
 public:
  explicit InsecureCodeDetector(const config::InsecureCodeConfig& config);
  std::string_view name() const override { return "insecure_code"; }
  std::string_view version() const override { return "1"; }
  void scan(const dataset::Record& record, std::vector<Finding>& findings) const override;

 private:
  config::InsecureCodeConfig config_;
  PatternRules pattern_rules_;
};

}  // namespace alignwatch::scan
