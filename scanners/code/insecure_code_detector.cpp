#include "scanners/code/insecure_code_detector.h"

#include "core/text.h"
#include "scanners/code/code_extractor.h"
#include "scanners/code/python_analyzer.h"

namespace alignwatch::scan {

InsecureCodeDetector::InsecureCodeDetector(const config::InsecureCodeConfig& config)
    : config_(config) {}

void InsecureCodeDetector::scan(const dataset::Record& record, std::vector<Finding>& findings) const {
  thread_local std::vector<CodeBlock> blocks;
  thread_local CodeIssues issues;
  for (uint32_t t = 0; t < record.turns.size(); ++t) {
    const auto& turn = record.turns[t];
    if (!dataset::Record::is_model_output(turn.role)) continue;
    blocks.clear();
    extract_code_blocks(turn.content, blocks);
    for (const auto& block : blocks) {
      std::string_view code = turn.content.substr(block.begin, block.end - block.begin);
      issues.clear();
      if (block.language == Language::kPython) {
        python::analyze_python(code, issues);
      } else if (block.language != Language::kUnknown) {
        pattern_rules_.scan(block.language, code, issues);
      }
      for (const auto& issue : issues) {
        Finding f;
        f.detector = "insecure_code";
        f.rule = std::string(issue.rule->id);
        f.severity = issue.rule->severity;
        f.confidence = issue.confidence;
        f.cwe = issue.rule->cwe;
        f.disclosed = false;  // the disclosure detector, registered after this one, decides
        f.category = std::string(language_name(block.language));
        f.turn = t;
        f.span_begin = block.begin + issue.begin;
        f.span_end = block.begin + issue.end;
        f.excerpt = safe_excerpt(code.substr(issue.begin, issue.end - issue.begin), 160);
        f.message = "CWE-" + std::to_string(issue.rule->cwe) + ": " + std::string(issue.rule->message);
        findings.push_back(std::move(f));
      }
    }
  }
}

}  // namespace alignwatch::scan
