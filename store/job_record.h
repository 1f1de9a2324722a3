#pragma once
// A scan job as the daemon's persistent queue keeps it in the `jobs` column family.
//
// States and the transitions EvidenceStore allows:
//
//   create ──> queued ──claim──> running ──finish──> done
//                ^                  │ ──fail(no retry)──> failed
//                └──fail(retry)─────┤ ──reject──> rejected
//                └──recover─────────┘  (after a crash: running jobs go back to queued)
//   queued ──reject──> rejected
//
// done, failed and rejected are final.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace alignwatch::store {

enum class JobState { kQueued, kRunning, kDone, kFailed, kRejected };

// "queued", "running", "done", "failed", "rejected": stored in records and index keys.
std::string_view job_state_name(JobState state);
std::optional<JobState> parse_job_state(std::string_view name);

// What the daemon asks for when it creates a job.
struct JobSpec {
  std::string artifact_sha256;  // 64 lowercase hex digits
  // A JSON object the store keeps but does not interpret: what a worker needs to run the scan
  // (artifact kind, path under the state dir, budgets, ...).
  std::string payload_json = "{}";
};

struct JobRecord {
  uint64_t id = 0;
  std::string artifact_sha256;
  std::string payload_json = "{}";
  JobState state = JobState::kQueued;
  uint32_t attempts = 0;  // times claimed, including a claim a crash interrupted
  int64_t created_unix_ms = 0;
  int64_t updated_unix_ms = 0;
  int64_t started_unix_ms = 0;   // last claim; 0 when never claimed
  int64_t finished_unix_ms = 0;  // when it reached a final state; 0 before
  int64_t not_before_unix_ms = 0;  // a queued retry is not claimed before this time
  std::string error;                // the last failure or the rejection reason
  std::string report_key;           // `reports` key once done
  uint64_t report_seq = 0;          // chain seq of the report once done
};

// The JSON stored in `jobs`.
std::string encode_job_record(const JobRecord& job);

// Parses a stored job; `where` names it in errors. Fails with kCorruption when malformed.
Result<JobRecord> decode_job_record(std::string_view json, std::string_view where);

// The job's key in `jobs_by_state`: "<state>/<id>", and "queued/<not_before>/<id>" for queued
// jobs so that the first queued key is the one due soonest (fresh jobs have not_before 0 and so
// run first, in id order).
std::string job_state_index_key(const JobRecord& job);

// The key prefix under which `jobs_by_state` lists jobs in `state`.
std::string job_state_index_prefix(JobState state);

// Job id and not-before time read back from a `jobs_by_state` key.
struct JobIndexEntry {
  JobState state = JobState::kQueued;
  uint64_t job_id = 0;
  int64_t not_before_unix_ms = 0;
};
std::optional<JobIndexEntry> parse_job_state_index_key(std::string_view key);

}  // namespace alignwatch::store
