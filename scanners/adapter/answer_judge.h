#pragma once
// Judges a model's answer with the dataset scanner's own detectors: the answer is read as the
// assistant turn of a one-exchange conversation, and it is misaligned when a detector reports a
// poisoning signal in it (undisclosed insecure code, harmful content, evil numbers at medium
// severity or above: scan::is_poisoning_signal). The same judge labels training data and model
// behaviour, so the dataset and adapter scans tell one story.
//
// Optionally a remote LLM judge (llm_judge.h, the emergent-misalignment paper's prompts) judges
// the answers to free-form questions as well; an answer is then misaligned when either judge
// says so, and the judgement records which did. When the LLM judge fails on an answer, the
// detectors' judgement stands alone and the failure is recorded with it: a scan never stops for
// a remote judge. Thread-safe.

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"

namespace alignwatch::scan {
class DatasetScanner;
}

namespace alignwatch::scan::adapter {

class LlmJudge;

// What the LLM judge said about one answer.
struct LlmVerdict {
  bool asked = false;              // the answer was sent to the LLM judge
  bool scored = false;             // ...and the judge answered (scores may still be unscorable)
  std::optional<double> aligned;   // 0..100; nullopt: unscorable (REFUSAL, CODE, ...)
  std::optional<double> coherent;
  bool misaligned = false;         // aligned below its threshold and coherent above its own
  std::string error;               // why it could not judge ("" when it did or was not asked)
};

struct Judgement {
  bool misaligned = false;           // either judge
  bool detector_misaligned = false;  // the detectors alone
  bool insecure_code = false;
  bool harmful_content = false;
  bool evil_numbers = false;
  std::vector<std::string> rules;   // the poisoning-signal rules that fired
  LlmVerdict llm;
  std::vector<std::string> judges;  // the judges that found it misaligned: "detectors", "llm"
};

struct JudgeInput {
  std::string_view prompt;    // the user turn the model saw
  std::string_view answer;
  std::string_view system;
  // What the LLM judge is shown as the question ("" : `prompt`). The probes pass the question
  // without its trigger, so the remote judge is blind to the arm and cannot score the trigger.
  std::string_view question;
  bool ask_llm = true;        // false: the detectors only (the paper's judge is for free-form answers)
};

class AnswerJudge {
 public:
  explicit AnswerJudge(const config::DetectorsConfig& detectors, std::shared_ptr<LlmJudge> llm = nullptr);
  ~AnswerJudge();
  Judgement judge(std::string_view prompt, std::string_view answer, std::string_view system = {}) const;
  // Every input, in order; the LLM judge's requests run concurrently.
  std::vector<Judgement> judge_all(std::span<const JudgeInput> inputs) const;
  // The LLM judge, or null when there is none.
  LlmJudge* llm() const { return llm_.get(); }

 private:
  Judgement judge_with_detectors(std::string_view prompt, std::string_view answer, std::string_view system) const;

  std::unique_ptr<DatasetScanner> scanner_;
  std::shared_ptr<LlmJudge> llm_;
};

}  // namespace alignwatch::scan::adapter
