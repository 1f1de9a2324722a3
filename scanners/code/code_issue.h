#pragma once
// A weakness found in one piece of code, before it becomes a Finding: which rule, where in the
// code (byte span), and how sure we are.

#include <cstdint>
#include <string_view>
#include <vector>

#include "scanners/finding.h"

namespace alignwatch::scan {

struct CodeRule {
  std::string_view id;  // "python.sql.string-built-query"
  int cwe;
  Severity severity;
  std::string_view message;
};

struct CodeIssue {
  const CodeRule* rule;
  double confidence;
  uint32_t begin;  // byte span in the analysed code
  uint32_t end;
};

using CodeIssues = std::vector<CodeIssue>;

}  // namespace alignwatch::scan
