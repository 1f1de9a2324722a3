#include "report/json_report_reader.h"

#include <nlohmann/json.hpp>

namespace alignwatch::report {

namespace {

using Json = nlohmann::json;

std::optional<scan::Severity> parse_severity(const std::string& name) {
  for (scan::Severity severity : {scan::Severity::kInfo, scan::Severity::kLow, scan::Severity::kMedium,
                                  scan::Severity::kHigh, scan::Severity::kCritical}) {
    if (scan::severity_name(severity) == name) return severity;
  }
  return std::nullopt;
}

template <typename T>
T number(const Json& object, const char* key, T fallback = T{}) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_number()) return fallback;
  return it->get<T>();
}

std::string text(const Json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Status status_of(const Json& json) {
  StatusCode code = StatusCode::kInternal;
  const std::string name = text(json, "code");
  for (StatusCode candidate :
       {StatusCode::kInvalidArgument, StatusCode::kNotFound, StatusCode::kCorruption, StatusCode::kUnsupported,
        StatusCode::kResourceExhausted, StatusCode::kDeadlineExceeded, StatusCode::kUnavailable,
        StatusCode::kCancelled, StatusCode::kInternal}) {
    if (status_code_name(candidate) == name) code = candidate;
  }
  Location location;
  if (auto it = json.find("location"); it != json.end() && it->is_object()) {
    location.file = text(*it, "file");
    location.line = number<uint64_t>(*it, "line");
    location.column = number<uint64_t>(*it, "column");
    if (auto offset = it->find("offset"); offset != it->end() && offset->is_number()) {
      location.offset = offset->get<uint64_t>();
      location.has_offset = true;
    }
  }
  return Status(code, text(json, "message"), std::move(location));
}

Result<scan::Finding> finding_of(const Json& json, const std::string& where) {
  if (!json.is_object()) return make_error(StatusCode::kCorruption, where + ": expected an object");
  scan::Finding finding;
  finding.detector = text(json, "detector");
  finding.rule = text(json, "rule");
  auto severity = parse_severity(text(json, "severity"));
  if (!severity) return make_error(StatusCode::kCorruption, where + ".severity: unknown severity");
  finding.severity = *severity;
  finding.confidence = number<double>(json, "confidence", 1.0);
  finding.cwe = number<int>(json, "cwe");
  if (auto it = json.find("disclosed"); it != json.end() && it->is_boolean()) finding.disclosed = it->get<bool>();
  finding.category = text(json, "category");
  if (auto it = json.find("location"); it != json.end() && it->is_object()) {
    finding.turn = number<uint32_t>(*it, "turn");
    finding.span_begin = number<uint32_t>(*it, "span_begin");
    finding.span_end = number<uint32_t>(*it, "span_end");
  }
  finding.excerpt = text(json, "excerpt");
  finding.message = text(json, "message");
  return finding;
}

Result<scan::FileReport> file_of(const Json& json, const std::string& where) {
  if (!json.is_object()) return make_error(StatusCode::kCorruption, where + ": expected an object");
  scan::FileReport file;
  file.path = text(json, "path");
  file.format = text(json, "format");
  file.compression = text(json, "compression");
  file.records_scanned = number<uint64_t>(json, "records_scanned");
  file.records_flagged = number<uint64_t>(json, "records_flagged");
  file.bytes_scanned = number<uint64_t>(json, "bytes_scanned");
  file.seconds = number<double>(json, "seconds");
  if (auto it = json.find("error"); it != json.end() && it->is_object()) file.error = status_of(*it);
  file.truncated = json.value("truncated", false);
  file.truncated_reason = text(json, "truncated_reason");
  const Json empty = Json::array();
  const Json& records = json.contains("records") && json["records"].is_array() ? json["records"] : empty;
  for (size_t i = 0; i < records.size(); ++i) {
    const std::string at = where + ".records[" + std::to_string(i) + "]";
    if (!records[i].is_object()) return make_error(StatusCode::kCorruption, at + ": expected an object");
    scan::RecordFindings record;
    record.line = number<uint64_t>(records[i], "line");
    record.offset = number<uint64_t>(records[i], "offset");
    const Json& findings = records[i].contains("findings") && records[i]["findings"].is_array()
                               ? records[i]["findings"] : empty;
    for (size_t j = 0; j < findings.size(); ++j) {
      AW_ASSIGN_OR_RETURN(scan::Finding finding, finding_of(findings[j], at + ".findings[" + std::to_string(j) + "]"));
      ++file.findings_by_rule[finding.rule];
      record.findings.push_back(std::move(finding));
    }
    file.records.push_back(std::move(record));
  }
  const Json& triggers = json.contains("trigger_candidates") && json["trigger_candidates"].is_array()
                             ? json["trigger_candidates"] : empty;
  for (const Json& item : triggers) {
    if (!item.is_object()) continue;
    scan::TriggerCandidate trigger;
    trigger.text = text(item, "text");
    trigger.placement = text(item, "placement");
    trigger.p_value = number<double>(item, "p_value", 1);
    trigger.q_value = number<double>(item, "q_value", 1);
    trigger.odds_ratio = number<double>(item, "odds_ratio");
    if (auto counts = item.find("counts"); counts != item.end() && counts->is_object()) {
      trigger.flagged_with = number<uint64_t>(*counts, "flagged_with");
      trigger.clean_with = number<uint64_t>(*counts, "clean_with");
      trigger.flagged_without = number<uint64_t>(*counts, "flagged_without");
      trigger.clean_without = number<uint64_t>(*counts, "clean_without");
    }
    if (auto lines = item.find("example_lines"); lines != item.end() && lines->is_array()) {
      for (const Json& line : *lines) {
        if (line.is_number_unsigned()) trigger.example_lines.push_back(line.get<uint64_t>());
      }
    }
    file.trigger_candidates.push_back(std::move(trigger));
  }
  const Json& dataset = json.contains("dataset_findings") && json["dataset_findings"].is_array()
                            ? json["dataset_findings"] : empty;
  for (const Json& item : dataset) {
    if (!item.is_object()) continue;
    scan::DatasetFinding finding;
    finding.detector = text(item, "detector");
    finding.rule = text(item, "rule");
    finding.severity = parse_severity(text(item, "severity")).value_or(scan::Severity::kInfo);
    finding.significant = item.value("significant", false);
    finding.observed = number<double>(item, "observed");
    finding.expected = number<double>(item, "expected");
    finding.p_value = number<double>(item, "p_value", 1);
    finding.message = text(item, "message");
    file.dataset_findings.push_back(std::move(finding));
  }
  const Json& errors = json.contains("record_errors") && json["record_errors"].is_array()
                           ? json["record_errors"] : empty;
  for (const Json& item : errors) {
    if (item.is_object()) file.record_errors.push_back(status_of(item));
  }
  return file;
}

}  // namespace

Result<std::vector<scan::FileReport>> read_json_report(std::string_view json) {
  Json document = Json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded() || !document.is_object()) {
    return make_error(StatusCode::kCorruption, "report: expected a JSON object");
  }
  auto files = document.find("files");
  if (files == document.end() || !files->is_array()) {
    return make_error(StatusCode::kCorruption, "report: expected a 'files' array");
  }
  std::vector<scan::FileReport> out;
  for (size_t i = 0; i < files->size(); ++i) {
    AW_ASSIGN_OR_RETURN(scan::FileReport file, file_of((*files)[i], "report.files[" + std::to_string(i) + "]"));
    out.push_back(std::move(file));
  }
  return out;
}

}  // namespace alignwatch::report
