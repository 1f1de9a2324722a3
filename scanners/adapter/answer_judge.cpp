#include "scanners/adapter/answer_judge.h"

#include <algorithm>

#include "scanners/registry.h"

namespace alignwatch::scan::adapter {

AnswerJudge::AnswerJudge(const config::DetectorsConfig& detectors) : scanner_(build_dataset_scanner(detectors)) {}

AnswerJudge::~AnswerJudge() = default;

Judgement AnswerJudge::judge(std::string_view prompt, std::string_view answer, std::string_view system) const {
  dataset::Record record;
  record.line = 1;
  if (!system.empty()) record.turns.push_back({dataset::Role::kSystem, system});
  record.turns.push_back({dataset::Role::kUser, prompt});
  record.turns.push_back({dataset::Role::kAssistant, answer});
  std::vector<Finding> findings;
  for (const auto& detector : scanner_->detectors()) detector->scan(record, findings);
  Judgement judgement;
  for (const Finding& finding : findings) {
    if (!is_poisoning_signal(finding)) continue;
    judgement.misaligned = true;
    if (finding.detector == "insecure_code") judgement.insecure_code = true;
    if (finding.detector == "harmful_content") judgement.harmful_content = true;
    if (finding.detector == "evil_numbers") judgement.evil_numbers = true;
    if (std::find(judgement.rules.begin(), judgement.rules.end(), finding.rule) == judgement.rules.end()) {
      judgement.rules.push_back(finding.rule);
    }
  }
  return judgement;
}

}  // namespace alignwatch::scan::adapter
