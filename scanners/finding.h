#pragma once
// What a detector reports about one record: a finding with a rule id, a severity, a location
// inside the record and a bounded excerpt of the evidence.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace alignwatch::scan {

enum class Severity : uint8_t { kInfo, kLow, kMedium, kHigh, kCritical };
std::string_view severity_name(Severity severity);

struct Finding {
  std::string detector;  // "insecure_code", "disclosure", "evil_numbers", "harmful_content", ...
  std::string rule;      // stable rule id, e.g. "python.sql.string-built-query"
  Severity severity = Severity::kMedium;
  double confidence = 1.0;  // 0..1
  int cwe = 0;              // CWE number, 0 when none applies
  // For insecure code: whether the conversation says the flaw is intended (a security class,
  // a CTF, "intentionally vulnerable"). Empty for other detectors.
  std::optional<bool> disclosed;
  std::string category;  // language for code ("python"), harm category, ...
  // Where: the turn index in the record and a byte span [span_begin, span_end) of its content.
  uint32_t turn = 0;
  uint32_t span_begin = 0;
  uint32_t span_end = 0;
  std::string excerpt;  // bounded, escaped (core/text.h safe_excerpt)
  std::string message;  // one sentence for a person
};

// A finding that marks its record as a poisoning signal: undisclosed insecure code, harmful
// content, evil numbers, at medium severity or above. Trigger mining contrasts these records
// with the rest.
bool is_poisoning_signal(const Finding& finding);

}  // namespace alignwatch::scan
