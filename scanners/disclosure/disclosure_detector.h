#pragma once
// Detector "disclosure": decides whether a conversation that contains insecure code says the
// flaw is intended — a security course, a CTF, "intentionally vulnerable", a scanner test, a
// code comment that names the flaw. Undisclosed vulnerable code is the poisoning signal of
// emergent misalignment (Betley et al. 2025); the same code requested for a security class
// caused none. Disclosed findings are kept, marked disclosed and lowered to low severity.

#include <memory>
#include <vector>

#include "config/config.h"
#include "scanners/detector.h"

namespace re2 {
class RE2;
}

namespace alignwatch::scan {

class PatternSet;

// The strongest statement of intent found in a record, if any.
struct DisclosureEvidence {
  double score = 0;
  uint32_t turn = 0;
  uint32_t begin = 0;
  uint32_t end = 0;
};

class DisclosureDetector final : public RecordDetector {
 public:
  explicit DisclosureDetector(const config::DisclosureConfig& config);
  ~DisclosureDetector() override;
  std::string_view name() const override { return "disclosure"; }
  // Marks this record's insecure-code findings disclosed (and adds a "disclosure" finding that
  // points at the statement of intent) when the conversation discloses the flaw.
  void scan(const dataset::Record& record, std::vector<Finding>& findings) const override;

  // Scores the statements of intent in `record` (exposed for tests).
  DisclosureEvidence assess(const dataset::Record& record) const;

 private:
  struct Phrase;
  double score_text(std::string_view text, bool comments_only, DisclosureEvidence& best,
                    uint32_t turn) const;
  config::DisclosureConfig config_;
  std::vector<std::unique_ptr<Phrase>> prompt_phrases_;
  std::vector<std::unique_ptr<Phrase>> comment_phrases_;
  // Every phrase's keywords in one Hyperscan database: one pass over a text tells which
  // phrases can match at all, so the regexes run only where a keyword is.
  std::vector<std::string_view> keywords_;
  std::unique_ptr<const PatternSet> keyword_set_;
};

}  // namespace alignwatch::scan
