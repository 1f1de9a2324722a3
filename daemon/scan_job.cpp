#include "daemon/scan_job.h"

#include <chrono>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "daemon/alert_rules.h"
#include "daemon/scan_metrics.h"
#include "report/json_report.h"
#include "store/store_schema.h"

namespace alignwatch::daemon {

namespace {

using Json = nlohmann::ordered_json;

int64_t now_unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string dump(const Json& json) {
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

struct JobPayload {
  std::string kind;
  std::string artifact;  // relative to the state dir
  std::string name;
};

JobPayload read_payload(const store::JobRecord& job) {
  JobPayload payload;
  Json json = Json::parse(job.payload_json, nullptr, /*allow_exceptions=*/false);
  if (json.is_object()) {
    payload.kind = json.value("kind", "");
    payload.artifact = json.value("artifact", "");
    payload.name = json.value("name", "");
  }
  return payload;
}

std::string report_key(const store::JobRecord& job) { return job_report_key(job); }

void add_alerts(const ScanEngine& engine, const ScanMetrics& metrics, const AlertSubject& subject,
                ScanJobOutcome& outcome) {
  append_alerts(engine, metrics, subject, outcome);
}

Json metrics_json(const ScanMetrics& metrics) {
  Json out = Json::object();
  for (const auto& [name, value] : metrics) out[name] = value;
  return out;
}

}  // namespace

std::string job_report_key(const store::JobRecord& job) {
  return job.artifact_sha256 + "/" + store::padded_decimal(job.id);
}

void append_alerts(const ScanEngine& engine, const ScanMetrics& metrics, const AlertSubject& subject,
                   ScanJobOutcome& outcome) {
  for (std::string& alert : evaluate_alert_rules(engine.config.alerts, metrics, subject, now_unix_ms())) {
    outcome.alert_indexes.push_back(outcome.evidence.size());
    outcome.evidence.push_back({store::EvidenceKind::kAlert, "", std::move(alert)});
  }
}

std::string metrics_object_json(const ScanMetrics& metrics) { return dump(metrics_json(metrics)); }

ScanJobOutcome permanent_failure(const ScanEngine& engine, const store::JobRecord& job,
                                 std::string error) {
  const JobPayload payload = read_payload(job);
  ScanJobOutcome outcome;
  outcome.kind = ScanJobOutcome::Kind::kPermanentFailure;
  outcome.verdict = "failed";
  outcome.error = error;
  const ScanMetrics metrics = failed_scan_metrics();
  Json report{{"job_id", job.id},
              {"artifact_sha256", job.artifact_sha256},
              {"kind", payload.kind},
              {"name", payload.name},
              {"verdict", "failed"},
              {"error", error},
              {"metrics", metrics_json(metrics)}};
  outcome.report_index = 0;
  outcome.evidence.push_back({store::EvidenceKind::kReport, report_key(job), dump(report)});
  AlertSubject subject{job.artifact_sha256, payload.kind, payload.name, job.id, report_key(job), {}, error};
  add_alerts(engine, metrics, subject, outcome);
  return outcome;
}

ScanJobOutcome run_scan_job(const ScanEngine& engine, const StateLayout& layout,
                            const store::JobRecord& job) {
  const JobPayload payload = read_payload(job);
  if (payload.artifact.empty() || payload.artifact.find("..") != std::string::npos ||
      payload.artifact.front() == '/') {
    return permanent_failure(engine, job, "job payload: expected a relative artifact path");
  }
  if (payload.kind == "adapter") return run_adapter_scan_job(engine, layout, job);
  if (payload.kind != "dataset") {
    return permanent_failure(engine, job, "job payload: unknown artifact kind '" + payload.kind + "'");
  }

  scan::DatasetScanOptions options;
  options.limits = engine.config.scan;
  // The job's wall-time budget bounds the scan; hitting it marks the report truncated.
  if (options.limits.max_scan_ms == 0 || options.limits.max_scan_ms > engine.config.daemon.job_timeout_ms) {
    options.limits.max_scan_ms = engine.config.daemon.job_timeout_ms;
  }
  options.skip_bad_records = true;  // a daemon reports every bad record rather than stopping
  const std::string path = (layout.root / payload.artifact).string();
  scan::FileReport file = engine.dataset_scanner->scan_file(path, options);
  if (file.error && file.error->code() == StatusCode::kUnavailable) {
    ScanJobOutcome transient;
    transient.kind = ScanJobOutcome::Kind::kTransientFailure;
    transient.verdict = "failed";
    transient.error = file.error->to_string();
    return transient;
  }
  // The report names the submission, not the artifact's path inside the state directory.
  file.path = payload.name;

  ScanJobOutcome outcome;
  // Bad input is not retried: the report says what and where, and the job ends failed.
  outcome.kind = file.error ? ScanJobOutcome::Kind::kPermanentFailure : ScanJobOutcome::Kind::kDone;
  const ScanMetrics metrics = dataset_scan_metrics(file);
  const bool flagged = file.count_findings(scan::Severity::kLow) > 0;
  outcome.verdict = file.error ? "failed" : flagged ? "flagged" : "clean";
  if (file.error) outcome.error = file.error->to_string();

  report::ReportMeta meta;
  meta.command_line = fmt::format("alignwatchd job {}", job.id);
  meta.start_time = std::chrono::system_clock::now();
  const std::string file_report = report::render_json({file}, meta, report::JsonLayout::kCompactWithoutRecords);
  Json header{{"job_id", job.id},
              {"artifact_sha256", job.artifact_sha256},
              {"kind", payload.kind},
              {"name", payload.name},
              {"verdict", outcome.verdict},
              {"error", outcome.error},
              {"truncated", file.truncated},
              {"records_key_prefix", report_key(job) + "/"},
              {"metrics", metrics_json(metrics)}};
  // The header's fields, then the dataset report under "report", without re-parsing it. Its
  // records are stored apart, one finding record each ("<report key>/<line>"), not twice.
  std::string report_text = dump(header);
  report_text.pop_back();  // '}'
  report_text += ",\"report\":";
  report_text += file_report;
  report_text += "}";
  outcome.report_index = 0;
  outcome.evidence.push_back({store::EvidenceKind::kReport, report_key(job), std::move(report_text)});

  std::set<int> cwes;
  for (const scan::RecordFindings& record : file.records) {
    for (const scan::Finding& finding : record.findings) {
      if (finding.cwe != 0 && finding.disclosed.has_value() && !*finding.disclosed) cwes.insert(finding.cwe);
    }
    outcome.evidence.push_back({store::EvidenceKind::kFinding,
                                report_key(job) + "/" + store::padded_decimal(record.line),
                                report::render_record_json(record)});
  }
  AlertSubject subject{job.artifact_sha256, payload.kind, payload.name, job.id, report_key(job),
                       cwes, outcome.error};
  add_alerts(engine, metrics, subject, outcome);
  return outcome;
}

}  // namespace alignwatch::daemon
