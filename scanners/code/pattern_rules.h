#pragma once
// Insecure-code rules for C/C++, JavaScript, PHP, shell and SQL: RE2 patterns over one code
// block, each optionally cancelled by a "guard" pattern (htmlspecialchars before echo, ...).
// Python has its own data-flow analyzer (python_analyzer.h); these languages are rarer in
// fine-tuning data and get the classic patterns.

#include <memory>
#include <string_view>
#include <vector>

#include "scanners/code/code_extractor.h"
#include "scanners/code/code_issue.h"

namespace re2 {
class RE2;
}

namespace alignwatch::scan {

class PatternRules {
 public:
  PatternRules();  // compiles every pattern once
  ~PatternRules();
  // Appends the issues in `code` (written in `language`) to `issues`. Thread-safe.
  void scan(Language language, std::string_view code, CodeIssues& issues) const;

 private:
  struct Compiled;
  std::vector<std::unique_ptr<Compiled>> rules_;
};

}  // namespace alignwatch::scan
