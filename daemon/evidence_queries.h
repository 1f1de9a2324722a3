#pragma once
// Read-side queries over the evidence store, shared by the CLI and the HTTPS API so that both
// show the same alerts and scans the same way: alerts with their status (open or acked) and
// acknowledgements, scans with their verdict and, on request, their whole report.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "store/evidence_store.h"

namespace alignwatch::daemon {

using QueryJson = nlohmann::ordered_json;

// A link as JSON ({seq, kind, body_sha256, prev_link_hash, link_hash}), null when absent.
QueryJson chain_link_json(const std::optional<store::ChainLink>& link);

struct AlertQuery {
  std::string status = "open";         // open, acked or all
  std::string min_priority = "debug";  // at least this severe
  int64_t since_unix_ms = 0;           // raised at or after
  std::string after;                   // alert id to continue after (paging)
  size_t limit = 100;
};

struct QueryPage {
  QueryJson items = QueryJson::array();
  std::string next_after;  // empty on the last page
};

// kInvalidArgument for an unknown status or priority.
Result<QueryPage> query_alerts(const store::EvidenceStore& store, const AlertQuery& query);
// The alert with its status, acknowledgements and chain link; nothing when unknown.
Result<std::optional<QueryJson>> alert_detail(const store::EvidenceStore& store,
                                              const std::string& alert_id);

struct ScanQuery {
  std::string state = "all";  // queued, running, done, failed, rejected or all
  uint64_t after_id = 0;      // job id to continue after (paging)
  size_t limit = 100;
  // When set, only the jobs it accepts (a pipeline token sees the scans it submitted).
  std::function<bool(const store::JobRecord&)> filter;
};
// Scans in id order: id, state, artifact, kind, name, attempts, error, verdict (null before one).
Result<QueryPage> query_scans(const store::EvidenceStore& store, const ScanQuery& query);
// One scan: the job, its verdict and metrics and report's chain link; with `with_report` the
// whole dataset report, its records put back from their finding records. Nothing when unknown.
Result<std::optional<QueryJson>> scan_detail(const store::EvidenceStore& store, uint64_t job_id,
                                             bool with_report);

// The key of a job's report in `reports`.
std::string report_key_of(const store::JobRecord& job);

}  // namespace alignwatch::daemon
