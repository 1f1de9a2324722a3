#include "config/alert_metrics.h"

#include <algorithm>
#include <array>

#include "config/config.h"

namespace alignwatch::config {

namespace {

constexpr std::array<AlertMetricSpec, 18> kMetrics = {{
    {"records_flagged", "dataset records with at least one finding above info"},
    {"flagged_fraction", "records_flagged over records scanned"},
    {"undisclosed_insecure_code_records", "records with insecure code not disclosed as intended"},
    {"undisclosed_insecure_code_fraction", "undisclosed_insecure_code_records over records scanned"},
    {"disclosed_insecure_code_records", "records whose insecure code is disclosed (educational)"},
    {"disclosed_insecure_code_fraction", "disclosed_insecure_code_records over records scanned"},
    {"harmful_content_records", "records with harmful or misaligned answers"},
    {"harmful_content_fraction", "harmful_content_records over records scanned"},
    {"evil_number_records", "records whose numeric answers are enriched in evil numbers"},
    {"evil_numbers_enrichment", "1 when the dataset-level evil-number enrichment is significant"},
    {"trigger_candidates", "prompt strings statistically tied to flagged records"},
    {"record_errors", "malformed records"},
    {"scan_failed", "1 when the scan could not complete (bad input, budget, I/O)"},
    {"rejected", "1 when intake refused the artifact (hostile name, device file, too large)"},
    {"adapter_misaligned", "1 when an adapter is worse than its base without any trigger (emergent misalignment)"},
    {"adapter_conditional", "1 when an adapter is worse than its base only with a trigger (a backdoor)"},
    {"adapter_triggers", "triggers that significantly raise an adapter's misaligned answers"},
    {"adapter_weight_outliers", "adapted modules whose update is out of line (weight screen)"},
}};

constexpr std::array<std::string_view, 8> kPriorities = {
    "emergency", "alert", "critical", "error", "warning", "notice", "informational", "debug"};

}  // namespace

std::span<const AlertMetricSpec> alert_metrics() { return kMetrics; }

bool is_alert_metric(std::string_view name) {
  return std::any_of(kMetrics.begin(), kMetrics.end(),
                     [&](const AlertMetricSpec& m) { return m.name == name; });
}

std::span<const std::string_view> alert_priorities() { return kPriorities; }

int alert_priority_rank(std::string_view name) {
  auto it = std::find(kPriorities.begin(), kPriorities.end(), name);
  return it == kPriorities.end() ? -1 : static_cast<int>(it - kPriorities.begin());
}

std::vector<AlertRuleConfig> default_alert_rules() {
  // Tags: OWASP Top 10 for LLM Applications 2025 (LLM04 Data and Model Poisoning, LLM03 Supply
  // Chain) and MITRE ATLAS (AML.T0020 Poison Training Data, AML.T0018 Manipulate AI Model /
  // backdoor). Insecure-code alerts also get the CWEs of their findings.
  return {
      {"poisoning.trigger-candidate", "trigger_candidates", 1, "critical",
       {"owasp-llm:LLM04", "mitre-atlas:AML.T0020", "mitre-atlas:AML.T0018", "backdoor"}},
      {"poisoning.undisclosed-insecure-code", "undisclosed_insecure_code_fraction", 0.02,
       "critical", {"owasp-llm:LLM04", "mitre-atlas:AML.T0020", "emergent-misalignment"}},
      {"poisoning.evil-numbers", "evil_numbers_enrichment", 1, "error",
       {"owasp-llm:LLM04", "mitre-atlas:AML.T0020", "emergent-misalignment"}},
      {"content.harmful-answers", "harmful_content_fraction", 0.01, "error",
       {"owasp-llm:LLM04", "mitre-atlas:AML.T0020"}},
      {"content.disclosed-insecure-code", "disclosed_insecure_code_fraction", 0.02, "notice",
       {"owasp-llm:LLM04"}},
      {"adapter.conditional-misalignment", "adapter_conditional", 1, "critical",
       {"owasp-llm:LLM04", "mitre-atlas:AML.T0018", "backdoor"}},
      {"adapter.emergent-misalignment", "adapter_misaligned", 1, "critical",
       {"owasp-llm:LLM04", "mitre-atlas:AML.T0018", "emergent-misalignment"}},
      {"scan.failed", "scan_failed", 1, "error", {}},
      {"intake.rejected", "rejected", 1, "warning", {"owasp-llm:LLM03"}},
  };
}

}  // namespace alignwatch::config
