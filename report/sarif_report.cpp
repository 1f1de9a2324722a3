#include "report/sarif_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>

#include "core/text.h"
#include "report/visible_text.h"

namespace alignwatch::report {

namespace {

using Json = nlohmann::ordered_json;
using scan::Severity;

constexpr std::string_view kSarifSchema = "https://json.schemastore.org/sarif-2.1.0.json";
constexpr std::string_view kFingerprintKey = "alignwatchFingerprint/v1";
// Bounds for dataset text inside messages a person reads on GitHub.
constexpr size_t kMessageBytes = 400;
constexpr size_t kExcerptBytes = 160;

// GitHub shows error as "Error", warning as "Warning", note as "Note".
std::string_view level_of(Severity severity) {
  switch (severity) {
    case Severity::kCritical:
    case Severity::kHigh:
      return "error";
    case Severity::kMedium:
      return "warning";
    case Severity::kLow:
    case Severity::kInfo:
      return "note";
  }
  return "note";
}

// GitHub's bands: over 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low.
std::string_view security_severity_of(Severity severity) {
  switch (severity) {
    case Severity::kCritical:
      return "9.5";
    case Severity::kHigh:
      return "8.0";
    case Severity::kMedium:
      return "5.5";
    case Severity::kLow:
      return "3.0";
    case Severity::kInfo:
      return "0.0";
  }
  return "0.0";
}

std::string_view precision_of(double confidence) {
  if (!(confidence >= 0.4)) return "low";  // NaN included
  if (confidence >= 0.9) return "very-high";
  if (confidence >= 0.7) return "high";
  return "medium";
}

// A trigger candidate's strength: significant after multiple-testing correction or not.
Severity trigger_severity(const scan::TriggerCandidate& trigger) {
  return trigger.q_value < 0.05 ? Severity::kHigh : Severity::kMedium;
}
double trigger_confidence(const scan::TriggerCandidate& trigger) {
  if (trigger.q_value < 0.001) return 0.95;
  if (trigger.q_value < 0.01) return 0.8;
  if (trigger.q_value < 0.05) return 0.5;
  return 0.2;
}

// "python.sql.string-built-query" -> "PythonSqlStringBuiltQuery": SARIF's rule name.
std::string pascal_case(std::string_view id) {
  std::string out;
  bool upper = true;
  for (char c : id) {
    if (!is_ident_char(c) || c == '_') {
      upper = true;
      continue;
    }
    out += upper && c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c;
    upper = false;
  }
  return out.empty() ? "Rule" : out;
}

// "insecure_code" -> "Insecure code".
std::string humanize(std::string_view detector) {
  std::string out(detector);
  for (char& c : out) c = c == '_' ? ' ' : c;
  if (!out.empty() && out[0] >= 'a' && out[0] <= 'z') out[0] = static_cast<char>(out[0] - 32);
  return out;
}

uint64_t fnv1a(std::string_view data, uint64_t hash = 0xcbf29ce484222325ULL) {
  for (unsigned char c : data) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

// Stable across runs of the same data: rule, line and evidence, not scan order or time.
std::string fingerprint(std::string_view rule, uint64_t line, std::string_view evidence) {
  uint64_t hash = fnv1a(rule);
  hash = fnv1a(std::string_view("\0", 1), hash);
  hash = fnv1a(std::to_string(line), hash);
  hash = fnv1a(std::string_view("\0", 1), hash);
  hash = fnv1a(evidence, hash);
  return fmt::format("{:016x}", hash);
}

// The path as given, as a URI reference: relative paths stay relative (GitHub resolves them
// against the repository root), absolute ones become file:// URIs. Bytes outside RFC 3986's
// unreserved set (and '/') are percent-encoded.
std::string artifact_uri(std::string_view path) {
  while (path.starts_with("./")) path.remove_prefix(2);
  std::string out = path.starts_with('/') ? "file://" : "";
  for (unsigned char c : path) {
    if (is_ident_char(static_cast<char>(c)) || c == '-' || c == '.' || c == '~' || c == '/') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

Json physical_location(const std::string& path, uint64_t line) {
  Json region{{"startLine", std::max<uint64_t>(line, 1)}, {"startColumn", 1}};
  return Json{
      {"physicalLocation",
       {{"artifactLocation", {{"uri", artifact_uri(path)}}}, {"region", std::move(region)}}}};
}

Json number_or_null(double value) { return std::isfinite(value) ? Json(value) : Json(nullptr); }

enum class ResultKind { kRecordFinding, kTriggerCandidate, kDatasetFinding };

// One result to be: what it points at, and how it ranks when results must be left out.
struct Candidate {
  ResultKind kind;
  Severity severity;
  const scan::FileReport* file;
  const scan::RecordFindings* record = nullptr;
  const scan::Finding* finding = nullptr;
  const scan::TriggerCandidate* trigger = nullptr;
  const scan::DatasetFinding* dataset_finding = nullptr;
};

struct Rule {
  std::string id;
  std::string short_description;
  std::string full_description;
  std::vector<std::string> tags;
  int cwe = 0;
  Severity severity = Severity::kInfo;  // the highest seen
  double confidence = 0;                // the highest seen
};

// Rules in order of first use; a result's ruleIndex is its rule's position here.
class RuleTable {
 public:
  // The rule `id`, created by `make` on first use; later uses raise its severity and confidence.
  template <typename MakeRule>
  size_t use(const std::string& id, Severity severity, double confidence, MakeRule make) {
    auto [it, inserted] = index_.try_emplace(id, rules_.size());
    if (inserted) {
      rules_.push_back(make());
      rules_.back().id = id;
    }
    Rule& rule = rules_[it->second];
    rule.severity = std::max(rule.severity, severity);
    if (std::isfinite(confidence)) rule.confidence = std::max(rule.confidence, confidence);
    return it->second;
  }
  const std::vector<Rule>& rules() const { return rules_; }

 private:
  std::vector<Rule> rules_;
  std::map<std::string, size_t> index_;
};

Json rule_json(const Rule& rule) {
  Json out{{"id", rule.id},
           {"name", pascal_case(rule.id)},
           {"shortDescription", {{"text", rule.short_description}}},
           {"fullDescription", {{"text", rule.full_description}}}};
  if (rule.cwe > 0) {
    out["helpUri"] = fmt::format("https://cwe.mitre.org/data/definitions/{}.html", rule.cwe);
  }
  out["defaultConfiguration"] = {{"level", level_of(rule.severity)}};
  out["properties"] = {{"tags", rule.tags},
                       {"security-severity", security_severity_of(rule.severity)},
                       {"precision", precision_of(rule.confidence)}};
  return out;
}

Json record_finding_result(const Candidate& c, RuleTable& rules) {
  const scan::Finding& f = *c.finding;
  const size_t rule_index = rules.use(f.rule, f.severity, f.confidence, [&] {
    Rule rule;
    rule.cwe = f.cwe;
    rule.short_description = humanize(f.detector) + ": " + visible_text(f.rule, kExcerptBytes) +
                             (f.cwe > 0 ? fmt::format(" (CWE-{})", f.cwe) : "");
    rule.full_description =
        f.message.empty() ? rule.short_description : visible_text(f.message, kMessageBytes);
    rule.tags = {"security"};
    if (f.cwe > 0) rule.tags.push_back(fmt::format("CWE-{}", f.cwe));
    if (!f.detector.empty()) rule.tags.push_back(visible_text(f.detector, 64));
    if (!f.category.empty()) rule.tags.push_back(visible_text(f.category, 64));
    return rule;
  });
  std::string text = f.message.empty() ? visible_text(f.rule, kExcerptBytes)
                                       : visible_text(f.message, kMessageBytes);
  if (f.disclosed.has_value()) {
    text += *f.disclosed ? " The conversation discloses the flaw as intended."
                         : " The conversation does not disclose the flaw.";
  }
  if (!f.excerpt.empty()) {
    text +=
        fmt::format(" Turn {}, excerpt: \"{}\"", f.turn, visible_text(f.excerpt, kExcerptBytes));
  }
  Json properties{{"detector", f.detector},
                  {"severity", severity_name(f.severity)},
                  {"confidence", number_or_null(f.confidence)},
                  {"category", f.category}};
  if (f.cwe > 0) properties["cwe"] = f.cwe;
  if (f.disclosed.has_value()) properties["disclosed"] = *f.disclosed;
  properties["turn"] = f.turn;
  properties["span_begin"] = f.span_begin;
  properties["span_end"] = f.span_end;
  properties["record_offset"] = c.record->offset;
  properties["excerpt"] = f.excerpt;
  return Json{
      {"ruleId", f.rule},
      {"ruleIndex", rule_index},
      {"level", level_of(f.severity)},
      {"message", {{"text", std::move(text)}}},
      {"locations", Json::array({physical_location(c.file->path, c.record->line)})},
      {"partialFingerprints", {{kFingerprintKey, fingerprint(f.rule, c.record->line, f.excerpt)}}},
      {"properties", std::move(properties)}};
}

Json trigger_result(const Candidate& c, RuleTable& rules) {
  const scan::TriggerCandidate& t = *c.trigger;
  const std::string id(kTriggerCandidateRule);
  const size_t rule_index = rules.use(id, c.severity, trigger_confidence(t), [] {
    Rule rule;
    rule.short_description = "Possible backdoor trigger";
    rule.full_description =
        "A string whose presence in prompts is statistically tied to flagged records (one-sided "
        "Fisher exact test, Benjamini-Hochberg adjusted): a possible data-poisoning trigger that "
        "teaches the model to misbehave when the string appears.";
    rule.tags = {"security", "backdoor", "data-poisoning"};
    return rule;
  });
  const uint64_t line = t.example_lines.empty() ? 1 : t.example_lines.front();
  const uint64_t with = t.flagged_with + t.clean_with;
  std::string text = fmt::format(
      "Possible backdoor trigger \"{}\" ({}): {} of {} records containing it are flagged, against "
      "{} of {} without it; odds ratio {:.3g}, p = {:.3g}, q = {:.3g}.",
      visible_text(t.text, kExcerptBytes), visible_text(t.placement, 32), t.flagged_with, with,
      t.flagged_without, t.flagged_without + t.clean_without, t.odds_ratio, t.p_value, t.q_value);
  Json properties{{"text", t.text},
                  {"placement", t.placement},
                  {"p_value", number_or_null(t.p_value)},
                  {"q_value", number_or_null(t.q_value)},
                  {"odds_ratio", number_or_null(t.odds_ratio)},
                  {"flagged_with", t.flagged_with},
                  {"clean_with", t.clean_with},
                  {"flagged_without", t.flagged_without},
                  {"clean_without", t.clean_without},
                  {"example_lines", t.example_lines}};
  return Json{{"ruleId", id},
              {"ruleIndex", rule_index},
              {"level", level_of(c.severity)},
              {"message", {{"text", std::move(text)}}},
              {"locations", Json::array({physical_location(c.file->path, line)})},
              {"partialFingerprints", {{kFingerprintKey, fingerprint(id, line, t.text)}}},
              {"properties", std::move(properties)}};
}

Json dataset_finding_result(const Candidate& c, RuleTable& rules) {
  const scan::DatasetFinding& d = *c.dataset_finding;
  const size_t rule_index = rules.use(d.rule, d.severity, 1.0 - d.p_value, [&] {
    Rule rule;
    rule.short_description = humanize(d.detector) + ": " + visible_text(d.rule, kExcerptBytes);
    rule.full_description =
        d.message.empty() ? rule.short_description : visible_text(d.message, kMessageBytes);
    rule.tags = {"security", "data-poisoning"};
    if (!d.detector.empty()) rule.tags.push_back(visible_text(d.detector, 64));
    return rule;
  });
  std::string text = fmt::format("{} (observed {:.4g}, expected {:.4g}, p = {:.3g})",
                                 d.message.empty() ? visible_text(d.rule, kExcerptBytes)
                                                   : visible_text(d.message, kMessageBytes),
                                 d.observed, d.expected, d.p_value);
  Json properties{{"detector", d.detector},
                  {"severity", severity_name(d.severity)},
                  {"observed", number_or_null(d.observed)},
                  {"expected", number_or_null(d.expected)},
                  {"p_value", number_or_null(d.p_value)}};
  return Json{{"ruleId", d.rule},
              {"ruleIndex", rule_index},
              {"level", level_of(d.severity)},
              {"message", {{"text", std::move(text)}}},
              {"locations", Json::array({physical_location(c.file->path, 1)})},
              {"partialFingerprints", {{kFingerprintKey, fingerprint(d.rule, 1, d.message)}}},
              {"properties", std::move(properties)}};
}

Json notification(std::string_view level, const std::string& text, const std::string& path,
                  uint64_t line, std::string_view code) {
  Json out{{"level", level}, {"message", {{"text", visible_text(text, 1000)}}}};
  if (!path.empty()) out["locations"] = Json::array({physical_location(path, line)});
  if (!code.empty()) out["properties"] = {{"code", code}};
  return out;
}

Json status_notification(std::string_view level, const Status& status, const std::string& path) {
  const std::string& file = status.location().file.empty() ? path : status.location().file;
  return notification(level, status.to_string(), file, status.location().line,
                      status_code_name(status.code()));
}

Json run_json(const std::vector<scan::FileReport>& files, const ReportMeta& meta) {
  // Every result that could be reported, in file and line order.
  std::vector<Candidate> candidates;
  for (const auto& file : files) {
    for (const auto& record : file.records) {
      for (const auto& finding : record.findings) {
        candidates.push_back(
            Candidate{ResultKind::kRecordFinding, finding.severity, &file, &record, &finding});
      }
    }
    for (const auto& trigger : file.trigger_candidates) {
      Candidate c{ResultKind::kTriggerCandidate, trigger_severity(trigger), &file};
      c.trigger = &trigger;
      candidates.push_back(c);
    }
    for (const auto& finding : file.dataset_findings) {
      if (!finding.significant) continue;
      Candidate c{ResultKind::kDatasetFinding, finding.severity, &file};
      c.dataset_finding = &finding;
      candidates.push_back(c);
    }
  }
  // Over GitHub's limit the whole upload is refused: keep the most severe, in their order.
  const size_t left_out =
      candidates.size() > kSarifMaxResults ? candidates.size() - kSarifMaxResults : 0;
  if (left_out > 0) {
    std::vector<size_t> order(candidates.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return candidates[a].severity > candidates[b].severity;
    });
    order.resize(kSarifMaxResults);
    std::sort(order.begin(), order.end());
    std::vector<Candidate> kept;
    kept.reserve(order.size());
    for (size_t i : order) kept.push_back(candidates[i]);
    candidates = std::move(kept);
  }

  RuleTable rules;
  Json results = Json::array();
  for (const Candidate& c : candidates) {
    switch (c.kind) {
      case ResultKind::kRecordFinding:
        results.push_back(record_finding_result(c, rules));
        break;
      case ResultKind::kTriggerCandidate:
        results.push_back(trigger_result(c, rules));
        break;
      case ResultKind::kDatasetFinding:
        results.push_back(dataset_finding_result(c, rules));
        break;
    }
  }

  Json notifications = Json::array();
  bool all_files_scanned = true;
  for (const auto& file : files) {
    if (file.error) {
      all_files_scanned = false;
      notifications.push_back(status_notification("error", *file.error, file.path));
    }
    for (const auto& error : file.record_errors) {
      notifications.push_back(status_notification("warning", error, file.path));
    }
    if (file.truncated) {
      notifications.push_back(notification("warning", "scan truncated: " + file.truncated_reason,
                                           file.path, 1, "truncated"));
    }
  }
  if (left_out > 0) {
    notifications.push_back(notification(
        "warning",
        fmt::format("{} results left out: GitHub code scanning accepts at most {} per run; the "
                    "most severe were kept",
                    left_out, kSarifMaxResults),
        "", 0, "results_left_out"));
  }
  Json invocation{{"executionSuccessful", all_files_scanned}};
  if (!meta.command_line.empty()) invocation["commandLine"] = meta.command_line;
  if (meta.start_time) invocation["startTimeUtc"] = format_utc_timestamp(*meta.start_time);
  invocation["toolExecutionNotifications"] = std::move(notifications);

  Json driver{{"name", meta.tool_name}, {"version", meta.version}};
  if (!meta.information_uri.empty()) driver["informationUri"] = meta.information_uri;
  Json rule_list = Json::array();
  for (const Rule& rule : rules.rules()) rule_list.push_back(rule_json(rule));
  driver["rules"] = std::move(rule_list);

  return Json{{"tool", {{"driver", std::move(driver)}}},
              {"invocations", Json::array({std::move(invocation)})},
              {"columnKind", "utf16CodeUnits"},
              {"results", std::move(results)},
              {"properties", {{"results_left_out", left_out}}}};
}

std::string dump(const Json& log) {
  return log.dump(2, ' ', /*ensure_ascii=*/false, Json::error_handler_t::replace) + "\n";
}

Json sarif_log(Json run) {
  return Json{
      {"$schema", kSarifSchema}, {"version", "2.1.0"}, {"runs", Json::array({std::move(run)})}};
}

}  // namespace

std::string render_sarif(const std::vector<scan::FileReport>& files, const ReportMeta& meta) {
  try {
    return dump(sarif_log(run_json(files, meta)));
  } catch (const nlohmann::json::exception& e) {
    // The library's boundary: an empty run whose invocation says what went wrong.
    Json run = run_json({}, meta);
    run["invocations"][0]["executionSuccessful"] = false;
    run["invocations"][0]["toolExecutionNotifications"].push_back(
        notification("error", std::string("SARIF report failed: ") + e.what(), "", 0, "internal"));
    return dump(sarif_log(std::move(run)));
  }
}

}  // namespace alignwatch::report
