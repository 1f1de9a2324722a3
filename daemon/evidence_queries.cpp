#include "daemon/evidence_queries.h"

#include <algorithm>

#include "config/alert_metrics.h"
#include "store/digest.h"
#include "store/store_schema.h"

namespace alignwatch::daemon {

namespace {

QueryJson parse(const std::string& text) {
  QueryJson json = QueryJson::parse(text, nullptr, /*allow_exceptions=*/false);
  return json.is_discarded() ? QueryJson::object() : json;
}

// The acknowledgements of an alert, oldest first.
Result<QueryJson> acks_of(const store::EvidenceStore& store, const std::string& alert_id) {
  QueryJson acks = QueryJson::array();
  std::string after;
  while (true) {
    AW_ASSIGN_OR_RETURN(auto page, store.list(store::EvidenceKind::kAcknowledgement, alert_id + "/", after, 100));
    for (auto& record : page.records) acks.push_back(parse(record.value_json));
    if (page.next_after.empty()) break;
    after = page.next_after;
  }
  return acks;
}

}  // namespace

std::string report_key_of(const store::JobRecord& job) {
  return job.artifact_sha256 + "/" + store::padded_decimal(job.id);
}

QueryJson chain_link_json(const std::optional<store::ChainLink>& link) {
  if (!link) return nullptr;
  return QueryJson{{"seq", link->seq},
                   {"kind", link->kind},
                   {"body_sha256", store::to_hex(link->body_sha256)},
                   {"prev_link_hash", store::to_hex(link->prev_link_hash)},
                   {"link_hash", store::to_hex(link->link_hash)}};
}

Result<QueryPage> query_alerts(const store::EvidenceStore& store, const AlertQuery& query) {
  const int floor = config::alert_priority_rank(query.min_priority);
  if (floor < 0 || (query.status != "open" && query.status != "acked" && query.status != "all")) {
    return make_error(StatusCode::kInvalidArgument,
                      "alerts: expected status open, acked or all and a known priority");
  }
  QueryPage result;
  std::string after = query.after;
  while (true) {
    AW_ASSIGN_OR_RETURN(auto page, store.list(store::EvidenceKind::kAlert, "", after, 200));
    for (auto& record : page.records) {
      if (result.items.size() == query.limit) {
        result.next_after = after;
        return result;
      }
      after = record.key;
      QueryJson alert = parse(record.value_json);
      if (config::alert_priority_rank(alert.value("priority", "debug")) > floor) continue;
      if (alert.value("raised_unix_ms", int64_t{0}) < query.since_unix_ms) continue;
      AW_ASSIGN_OR_RETURN(QueryJson acks, acks_of(store, record.key));
      const bool acked = !acks.empty();
      if ((query.status == "open" && acked) || (query.status == "acked" && !acked)) continue;
      alert["id"] = record.key;
      alert["status"] = acked ? "acked" : "open";
      result.items.push_back(std::move(alert));
    }
    if (page.next_after.empty()) break;
    after = page.next_after;
  }
  return result;
}

Result<std::optional<QueryJson>> alert_detail(const store::EvidenceStore& store,
                                              const std::string& alert_id) {
  AW_ASSIGN_OR_RETURN(auto record, store.get(store::EvidenceKind::kAlert, alert_id));
  if (!record) return std::optional<QueryJson>();
  AW_ASSIGN_OR_RETURN(QueryJson acks, acks_of(store, alert_id));
  QueryJson alert = parse(record->value_json);
  alert["id"] = alert_id;
  alert["status"] = acks.empty() ? "open" : "acked";
  alert["acknowledgements"] = std::move(acks);
  alert["chain_link"] = chain_link_json(record->link);
  return std::optional<QueryJson>(std::move(alert));
}

Result<QueryPage> query_scans(const store::EvidenceStore& store, const ScanQuery& query) {
  std::vector<store::JobRecord> jobs;
  bool known_state = query.state == "all";
  for (std::string_view name : {"queued", "running", "done", "failed", "rejected"}) {
    if (query.state != "all" && query.state != name) continue;
    known_state = true;
    // Each state's index is walked whole: job counts per state stay small next to their evidence.
    AW_ASSIGN_OR_RETURN(auto in_state, store.jobs_in_state(*store::parse_job_state(name), SIZE_MAX));
    for (auto& job : in_state) {
      if (job.id > query.after_id && (!query.filter || query.filter(job))) jobs.push_back(std::move(job));
    }
  }
  if (!known_state) {
    return make_error(StatusCode::kInvalidArgument,
                      "scans: expected state queued, running, done, failed, rejected or all");
  }
  std::sort(jobs.begin(), jobs.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  QueryPage result;
  for (const auto& job : jobs) {
    if (result.items.size() == query.limit) {
      result.next_after = std::to_string(result.items.back()["id"].get<uint64_t>());
      break;
    }
    QueryJson payload = parse(job.payload_json);
    QueryJson item{{"id", job.id},
                   {"state", store::job_state_name(job.state)},
                   {"artifact_sha256", job.artifact_sha256},
                   {"kind", payload.value("kind", "")},
                   {"name", payload.value("name", "")},
                   {"attempts", job.attempts},
                   {"error", job.error},
                   {"verdict", nullptr}};
    if (job.state == store::JobState::kDone || job.state == store::JobState::kFailed) {
      AW_ASSIGN_OR_RETURN(auto report, store.get(store::EvidenceKind::kReport, report_key_of(job)));
      if (report) item["verdict"] = parse(report->value_json).value("verdict", "");
    }
    result.items.push_back(std::move(item));
  }
  return result;
}

Result<std::optional<QueryJson>> scan_detail(const store::EvidenceStore& store, uint64_t job_id,
                                             bool with_report) {
  AW_ASSIGN_OR_RETURN(auto job, store.job(job_id));
  if (!job) return std::optional<QueryJson>();
  QueryJson out{{"id", job->id},
                {"state", store::job_state_name(job->state)},
                {"artifact_sha256", job->artifact_sha256},
                {"attempts", job->attempts},
                {"error", job->error},
                {"payload", parse(job->payload_json)},
                {"verdict", nullptr}};
  const std::string key = report_key_of(*job);
  AW_ASSIGN_OR_RETURN(auto report, store.get(store::EvidenceKind::kReport, key));
  if (!report) return std::optional<QueryJson>(std::move(out));
  QueryJson parsed = parse(report->value_json);
  const std::string prefix = parsed.value("records_key_prefix", "");
  out["verdict"] = parsed.value("verdict", "");
  out["metrics"] = parsed.value("metrics", QueryJson::object());
  out["report_key"] = key;
  out["report_chain_link"] = chain_link_json(report->link);
  out["findings_key_prefix"] = prefix;
  if (with_report && parsed.contains("report")) {
    // The daemon stores the report's records apart (one finding record each): put them back.
    QueryJson whole = std::move(parsed["report"]);
    if (!prefix.empty() && whole.contains("files") && whole["files"].is_array() && !whole["files"].empty()) {
      QueryJson records = QueryJson::array();
      std::string after;
      while (true) {
        AW_ASSIGN_OR_RETURN(auto page, store.list(store::EvidenceKind::kFinding, prefix, after, 1000));
        for (const auto& record : page.records) records.push_back(parse(record.value_json));
        if (page.next_after.empty()) break;
        after = page.next_after;
      }
      whole["files"][0]["records"] = std::move(records);
    }
    out["report"] = std::move(whole);
  }
  // An adapter scan's sampled answers, stored one record each, side by side with the report.
  const std::string samples_prefix = parsed.value("samples_key_prefix", "");
  if (with_report && !samples_prefix.empty()) {
    QueryJson samples = QueryJson::array();
    std::string after;
    while (true) {
      AW_ASSIGN_OR_RETURN(auto page, store.list(store::EvidenceKind::kFinding, samples_prefix, after, 1000));
      for (const auto& record : page.records) samples.push_back(parse(record.value_json));
      if (page.next_after.empty()) break;
      after = page.next_after;
    }
    out["samples"] = std::move(samples);
  }
  return std::optional<QueryJson>(std::move(out));
}

}  // namespace alignwatch::daemon
