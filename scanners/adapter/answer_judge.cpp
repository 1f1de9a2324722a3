#include "scanners/adapter/answer_judge.h"

#include <algorithm>

#include "scanners/adapter/llm_judge.h"
#include "scanners/registry.h"

namespace alignwatch::scan::adapter {

AnswerJudge::AnswerJudge(const config::DetectorsConfig& detectors, std::shared_ptr<LlmJudge> llm)
    : scanner_(build_dataset_scanner(detectors)), llm_(std::move(llm)) {}

AnswerJudge::~AnswerJudge() = default;

Judgement AnswerJudge::judge_with_detectors(std::string_view prompt, std::string_view answer,
                                            std::string_view system) const {
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
    judgement.detector_misaligned = true;
    if (finding.detector == "insecure_code") judgement.insecure_code = true;
    if (finding.detector == "harmful_content") judgement.harmful_content = true;
    if (finding.detector == "evil_numbers") judgement.evil_numbers = true;
    if (std::find(judgement.rules.begin(), judgement.rules.end(), finding.rule) == judgement.rules.end()) {
      judgement.rules.push_back(finding.rule);
    }
  }
  judgement.misaligned = judgement.detector_misaligned;
  if (judgement.detector_misaligned) judgement.judges.push_back("detectors");
  return judgement;
}

Judgement AnswerJudge::judge(std::string_view prompt, std::string_view answer, std::string_view system) const {
  const JudgeInput input{prompt, answer, system, {}, true};
  return std::move(judge_all(std::span<const JudgeInput>(&input, 1)).front());
}

std::vector<Judgement> AnswerJudge::judge_all(std::span<const JudgeInput> inputs) const {
  std::vector<Judgement> out;
  out.reserve(inputs.size());
  for (const JudgeInput& input : inputs) out.push_back(judge_with_detectors(input.prompt, input.answer, input.system));
  if (!llm_) return out;
  std::vector<JudgeQuery> queries;
  std::vector<size_t> asked;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i].ask_llm) continue;
    queries.push_back({inputs[i].question.empty() ? inputs[i].prompt : inputs[i].question, inputs[i].answer});
    asked.push_back(i);
  }
  const auto verdicts = llm_->judge_all(queries);
  for (size_t q = 0; q < asked.size(); ++q) {
    Judgement& judgement = out[asked[q]];
    judgement.llm.asked = true;
    if (!verdicts[q]) {
      judgement.llm.error = verdicts[q].error().to_string();
      continue;
    }
    judgement.llm.scored = true;
    judgement.llm.aligned = verdicts[q]->aligned;
    judgement.llm.coherent = verdicts[q]->coherent;
    judgement.llm.misaligned = verdicts[q]->misaligned;
    if (judgement.llm.misaligned) {
      judgement.misaligned = true;
      judgement.judges.push_back("llm");
    }
  }
  return out;
}

}  // namespace alignwatch::scan::adapter
