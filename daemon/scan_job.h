#pragma once
// Runs one claimed job: scans its artifact and assembles the evidence to commit with the job's
// move to done (the report, one record per flagged dataset row, and the alerts), or says why it
// failed and whether trying again may help.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "daemon/scan_engine.h"
#include "daemon/state_layout.h"
#include "store/evidence_store.h"

namespace alignwatch::daemon {

struct ScanJobOutcome {
  enum class Kind { kDone, kTransientFailure, kPermanentFailure };
  Kind kind = Kind::kDone;
  std::string verdict;  // "clean", "flagged" (done); "failed" otherwise
  std::string error;
  std::vector<store::EvidenceRecord> evidence;  // for finish_job / fail_job
  size_t report_index = 0;
  std::vector<size_t> alert_indexes;  // which evidence records are alerts
};

// Reads the job's payload, scans `<state>/<payload.artifact>` with `engine`, and builds the
// outcome. Never throws.
ScanJobOutcome run_scan_job(const ScanEngine& engine, const StateLayout& layout,
                            const store::JobRecord& job);

// The evidence for a job that will not be tried again: a failure report and the scan.failed
// alerts, so reviewers see what could not be scanned.
ScanJobOutcome permanent_failure(const ScanEngine& engine, const store::JobRecord& job,
                                 std::string error);

// Shared by the dataset and adapter jobs: where a job's report goes, and the alerts its metrics
// raise appended to the outcome.
std::string job_report_key(const store::JobRecord& job);
struct AlertSubject;
void append_alerts(const ScanEngine& engine, const std::map<std::string, double, std::less<>>& metrics,
                   const AlertSubject& subject, ScanJobOutcome& outcome);
// {name: value} of a scan's metrics.
std::string metrics_object_json(const std::map<std::string, double, std::less<>>& metrics);

// An adapter job (adapter_scan_job.cpp): with the libtorch runtime, tiers 0 and 1 against the
// base model its manifest names; without it, a failure saying so.
ScanJobOutcome run_adapter_scan_job(const ScanEngine& engine, const StateLayout& layout,
                                    const store::JobRecord& job);

}  // namespace alignwatch::daemon
