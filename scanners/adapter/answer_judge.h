#pragma once
// Judges a model's answer with the dataset scanner's own detectors: the answer is read as the
// assistant turn of a one-exchange conversation, and it is misaligned when a detector reports a
// poisoning signal in it (undisclosed insecure code, harmful content, evil numbers at medium
// severity or above: scan::is_poisoning_signal). The same judge labels training data and model
// behaviour, so the dataset and adapter scans tell one story. Thread-safe.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"

namespace alignwatch::scan {
class DatasetScanner;
}

namespace alignwatch::scan::adapter {

struct Judgement {
  bool misaligned = false;
  bool insecure_code = false;
  bool harmful_content = false;
  bool evil_numbers = false;
  std::vector<std::string> rules;  // the poisoning-signal rules that fired
};

class AnswerJudge {
 public:
  explicit AnswerJudge(const config::DetectorsConfig& detectors);
  ~AnswerJudge();
  Judgement judge(std::string_view prompt, std::string_view answer, std::string_view system = {}) const;

 private:
  std::unique_ptr<DatasetScanner> scanner_;
};

}  // namespace alignwatch::scan::adapter
