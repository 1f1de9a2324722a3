#include "report/json_report.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "report/report_summary.h"

namespace alignwatch::report {

namespace {

// Keys keep the order they are written in, so the document reads top-down like the text report.
using Json = nlohmann::ordered_json;

Json number_or_null(double value) { return std::isfinite(value) ? Json(value) : Json(nullptr); }

Json string_or_null(const std::string& value) {
  return value.empty() ? Json(nullptr) : Json(value);
}

Json location_json(const Location& location) {
  if (location.empty() && !location.has_offset) return nullptr;
  return Json{{"file", location.file},
              {"line", location.line},
              {"column", location.column},
              {"offset", location.has_offset ? Json(location.offset) : Json(nullptr)}};
}

Json status_json(const Status& status) {
  return Json{{"code", status_code_name(status.code())},
              {"message", status.message()},
              {"location", location_json(status.location())}};
}

Json finding_json(const scan::Finding& finding) {
  Json out{{"detector", finding.detector},
           {"rule", finding.rule},
           {"severity", severity_name(finding.severity)},
           {"confidence", number_or_null(finding.confidence)}};
  if (finding.cwe != 0) out["cwe"] = finding.cwe;
  if (finding.disclosed.has_value()) out["disclosed"] = *finding.disclosed;
  out["category"] = finding.category;
  out["location"] = Json{
      {"turn", finding.turn}, {"span_begin", finding.span_begin}, {"span_end", finding.span_end}};
  out["excerpt"] = finding.excerpt;
  out["message"] = finding.message;
  return out;
}

Json record_json(const scan::RecordFindings& record) {
  Json findings = Json::array();
  for (const scan::Finding& finding : record.findings) findings.push_back(finding_json(finding));
  return Json{{"line", record.line}, {"offset", record.offset}, {"findings", std::move(findings)}};
}

Json trigger_json(const scan::TriggerCandidate& trigger) {
  return Json{{"text", trigger.text},
              {"placement", trigger.placement},
              {"p_value", number_or_null(trigger.p_value)},
              {"q_value", number_or_null(trigger.q_value)},
              {"odds_ratio", number_or_null(trigger.odds_ratio)},
              {"counts",
               {{"flagged_with", trigger.flagged_with},
                {"clean_with", trigger.clean_with},
                {"flagged_without", trigger.flagged_without},
                {"clean_without", trigger.clean_without}}},
              {"example_lines", trigger.example_lines}};
}

Json dataset_finding_json(const scan::DatasetFinding& finding) {
  return Json{{"detector", finding.detector},
              {"rule", finding.rule},
              {"severity", severity_name(finding.severity)},
              {"significant", finding.significant},
              {"observed", number_or_null(finding.observed)},
              {"expected", number_or_null(finding.expected)},
              {"p_value", number_or_null(finding.p_value)},
              {"message", finding.message}};
}

Json counts_json(const std::map<std::string, uint64_t>& counts) {
  Json out = Json::object();
  for (const auto& [key, n] : counts) out[key] = n;
  return out;
}

// The counts both a file and the totals carry.
Json summary_counts_json(const ReportSummary& summary) {
  return Json{
      {"records_reported", summary.records_reported},
      {"findings", summary.findings},
      {"findings_by_rule", counts_json(summary.findings_by_rule)},
      {"findings_by_severity", counts_json(summary.findings_by_severity)},
      {"findings_by_detector", counts_json(summary.findings_by_detector)},
      {"records_with_insecure_code", summary.records_with_insecure_code},
      {"records_with_undisclosed_insecure_code", summary.records_with_undisclosed_insecure_code},
      {"records_with_disclosed_insecure_code", summary.records_with_disclosed_insecure_code},
      {"trigger_candidates", summary.trigger_candidates},
      {"significant_dataset_findings", summary.significant_dataset_findings},
      {"record_errors", summary.record_errors}};
}

Json totals_json(const ReportSummary& summary) {
  Json out{{"files", summary.files},
           {"files_with_errors", summary.files_with_errors},
           {"files_truncated", summary.files_truncated},
           {"records_scanned", summary.records_scanned},
           {"records_flagged", summary.records_flagged},
           {"bytes_scanned", summary.bytes_scanned},
           {"seconds", number_or_null(summary.seconds)}};
  out.update(summary_counts_json(summary));
  return out;
}

Json file_json(const scan::FileReport& file, bool with_records) {
  Json records = Json::array();
  if (with_records) {
    for (const auto& record : file.records) records.push_back(record_json(record));
  }
  Json triggers = Json::array();
  for (const auto& trigger : file.trigger_candidates) triggers.push_back(trigger_json(trigger));
  Json dataset_findings = Json::array();
  for (const auto& finding : file.dataset_findings)
    dataset_findings.push_back(dataset_finding_json(finding));
  Json record_errors = Json::array();
  for (const auto& error : file.record_errors) record_errors.push_back(status_json(error));
  return Json{{"path", file.path},
              {"format", string_or_null(file.format)},
              {"compression", string_or_null(file.compression)},
              {"records_scanned", file.records_scanned},
              {"records_flagged", file.records_flagged},
              {"bytes_scanned", file.bytes_scanned},
              {"seconds", number_or_null(file.seconds)},
              {"error", file.error ? status_json(*file.error) : Json(nullptr)},
              {"truncated", file.truncated},
              {"truncated_reason", file.truncated ? Json(file.truncated_reason) : Json(nullptr)},
              {"records", std::move(records)},
              {"trigger_candidates", std::move(triggers)},
              {"dataset_findings", std::move(dataset_findings)},
              {"record_errors", std::move(record_errors)},
              {"summary", summary_counts_json(summarize(file))}};
}

Json meta_json(const ReportMeta& meta) {
  return Json{{"tool", meta.tool_name},
              {"version", meta.version},
              {"command_line", meta.command_line},
              {"start_time",
               meta.start_time ? Json(format_utc_timestamp(*meta.start_time)) : Json(nullptr)}};
}

std::string dump(const Json& document, bool compact) {
  // `replace`: dataset text with invalid UTF-8 becomes U+FFFD instead of an exception.
  return document.dump(compact ? -1 : 2, ' ', /*ensure_ascii=*/false, Json::error_handler_t::replace) +
         "\n";
}

}  // namespace

std::string render_record_json(const scan::RecordFindings& record) {
  try {
    return record_json(record).dump(-1, ' ', /*ensure_ascii=*/false, Json::error_handler_t::replace);
  } catch (const std::exception&) {
    // nlohmann::json adapter boundary; `replace` makes a throw here all but impossible.
    return "{\"line\":" + std::to_string(record.line) + ",\"findings\":[]}";
  }
}

std::string render_json(const std::vector<scan::FileReport>& files, const ReportMeta& meta,
                        JsonLayout layout) {
  const bool compact = layout != JsonLayout::kIndented;
  const bool with_records = layout != JsonLayout::kCompactWithoutRecords;
  try {
    Json document = meta_json(meta);
    Json file_list = Json::array();
    for (const auto& file : files) file_list.push_back(file_json(file, with_records));
    document["files"] = std::move(file_list);
    document["summary"] = totals_json(summarize(files));
    return dump(document, compact);
  } catch (const nlohmann::json::exception& e) {
    // The library's boundary: its failure becomes a report that says so, never an exception.
    Json document = meta_json(meta);
    document["files"] = Json::array();
    document["summary"] = totals_json(summarize(std::vector<scan::FileReport>{}));
    document["error"] =
        status_json(Status(StatusCode::kInternal, std::string("JSON report failed: ") + e.what()));
    return dump(document, compact);
  }
}

}  // namespace alignwatch::report
