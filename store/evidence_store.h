#pragma once
// The evidence store: alignwatch's one RocksDB database (store_schema.h has the layout).
//
// Evidence records (artifacts, submissions, reports, findings, alerts, acknowledgements, config
// changes, rejections) are written once, each bound into the audit hash chain in the same
// synced batch. Jobs are mutable state: their transitions are synced too, and a job's move to
// `done` is written in the same batch as the scan's evidence, so a crash either loses the whole
// scan (the job is still `running` and is re-run after recovery) or keeps it whole, and evidence
// is never written twice.
//
// Thread-safety: every method may be called from any thread. Writes are serialised by one mutex
// (the chain is a sequence); reads go straight to RocksDB.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "store/chain_head.h"
#include "store/chain_link.h"
#include "store/evidence_kind.h"
#include "store/job_record.h"
#include "store/store_access.h"
#include "store/thread_annotations.h"
#include "store/verify_report.h"

namespace rocksdb {
class Snapshot;
}

namespace alignwatch::store {

class RocksDb;
class LinkHasher;

struct StoreOptions {
  // HMAC secret for the chain; empty: plain SHA-256. A store created keyed must be opened with
  // the same secret (the key id in meta tells), and one created unkeyed stays unkeyed.
  std::string chain_secret;
  // For kSecondary: where the secondary instance keeps its own files.
  std::filesystem::path secondary_path;
};

// One evidence record to append. An empty key asks the store for one: the record's chain seq as
// 20 padded digits, so records of a kind list in the order they were written.
struct EvidenceRecord {
  EvidenceKind kind = EvidenceKind::kArtifact;
  std::string key;
  std::string value_json;  // a JSON object, stored byte for byte
};

// Where an appended record went.
struct AppendedRecord {
  uint64_t seq = 0;
  std::string key;
};

// A stored record with its chain link.
struct StoredRecord {
  std::string key;
  std::string value_json;
  std::optional<ChainLink> link;  // absent only in a damaged store
};

// A page of records of one kind, in key order.
struct RecordPage {
  std::vector<StoredRecord> records;
  std::string next_after;  // pass as `after` for the next page; empty when this was the last
};

// An API bearer token as the store keeps it: only its SHA-256, never the token.
struct ApiToken {
  std::string token_sha256;  // 64 lowercase hex digits
  std::string name;          // unique among tokens
  std::string role;          // "pipeline", "reviewer", "admin" (checked by the API layer)
  int64_t created_unix_ms = 0;
  int64_t revoked_unix_ms = 0;  // 0 while valid
  bool revoked() const { return revoked_unix_ms != 0; }
};

class EvidenceStore {
 public:
  // Opens (kPrimary: creates) the store at `path`. Fails with kInvalidArgument when the chain
  // secret does not match the one the store was created with, kUnavailable when another
  // primary holds it.
  static Result<std::unique_ptr<EvidenceStore>> open(const std::filesystem::path& path,
                                                     StoreAccess access,
                                                     const StoreOptions& options = {});
  ~EvidenceStore();
  EvidenceStore(const EvidenceStore&) = delete;
  EvidenceStore& operator=(const EvidenceStore&) = delete;

  StoreAccess access() const { return access_; }
  const std::string& path() const;
  // For kSecondary: follows the primary's latest writes.
  Status catch_up();

  // --- evidence ---

  // Appends records (each a JSON object) with their chain links in one synced batch. Fails with
  // kInvalidArgument, writing nothing, when a value is not a JSON object or a key already holds
  // a record of that kind (evidence is never overwritten).
  Result<std::vector<AppendedRecord>> append(std::span<const EvidenceRecord> records);
  Result<AppendedRecord> append(EvidenceRecord record);

  // The record of `kind` at `key`, with its link; nothing when absent.
  Result<std::optional<StoredRecord>> get(EvidenceKind kind, std::string_view key) const;
  // Records of `kind` whose key starts with `prefix`, after key `after`, at most `limit`.
  Result<RecordPage> list(EvidenceKind kind, std::string_view prefix, std::string_view after,
                          size_t limit) const;
  // The link at chain position `seq`; nothing when absent.
  Result<std::optional<ChainLink>> link_at(uint64_t seq) const;
  Result<ChainHead> chain_head() const;

  // Walks the whole chain (chain_verifier.h). Tampering is in the report, not an error.
  Result<VerifyReport> verify() const;

  // --- API tokens ---

  // Adds a token, with a config_changes record ("token_created": name, role, the first 16 hex
  // digits of the hash) in the same synced batch. kInvalidArgument, writing nothing, when the
  // hash is malformed or the name or hash is taken.
  Result<AppendedRecord> add_api_token(const ApiToken& token);
  // The token whose SHA-256 is `token_sha256`, revoked or not; nothing when unknown.
  Result<std::optional<ApiToken>> find_api_token(std::string_view token_sha256) const;
  // Every token, in hash order.
  Result<std::vector<ApiToken>> list_api_tokens() const;
  // Marks the token named `name` revoked, with a "token_revoked" config_changes record.
  // kNotFound when there is no valid token of that name.
  Result<AppendedRecord> revoke_api_token(std::string_view name, int64_t now_unix_ms);

  // --- jobs ---

  // Creates a queued job and, in the same batch, `evidence` (the artifact and its submission),
  // and records it as the job of its artifact.
  Result<JobRecord> create_job(const JobSpec& spec, std::span<const EvidenceRecord> evidence,
                               int64_t now_unix_ms);
  // The job created for an artifact, if any (deduplication).
  Result<std::optional<uint64_t>> job_for_artifact(std::string_view artifact_sha256) const;
  // The first queued job due at `now_unix_ms`, moved to running (attempts + 1); nothing when none.
  Result<std::optional<JobRecord>> claim_next(int64_t now_unix_ms);
  // running -> done, with the scan's evidence in the same synced batch. `report_index` is the
  // index in `evidence` of the report record. Fails with kInvalidArgument, writing nothing, when
  // the job is not running (so a scan's evidence is written at most once).
  Result<std::vector<AppendedRecord>> finish_job(uint64_t job_id,
                                                 std::span<const EvidenceRecord> evidence,
                                                 size_t report_index, int64_t now_unix_ms);
  // running -> queued with a not-before time (retry), or -> failed when `retry_at_unix_ms` is
  // nothing. `evidence` (may be empty) is written in the same batch.
  Result<std::vector<AppendedRecord>> fail_job(uint64_t job_id, std::string error,
                                               std::optional<int64_t> retry_at_unix_ms,
                                               std::span<const EvidenceRecord> evidence,
                                               int64_t now_unix_ms);
  // queued or running -> rejected, with the rejection record in the same batch.
  Result<std::vector<AppendedRecord>> reject_job(uint64_t job_id, std::string reason,
                                                 std::span<const EvidenceRecord> evidence,
                                                 int64_t now_unix_ms);
  // After a crash: every running job back to queued (due now). Returns how many.
  Result<size_t> recover_running_jobs(int64_t now_unix_ms);
  // Saves a running job's payload (a worker's checkpoint); the state does not change.
  Status update_job_payload(uint64_t job_id, std::string payload_json, int64_t now_unix_ms);

  Result<std::optional<JobRecord>> job(uint64_t job_id) const;
  // Jobs in `state` in index order (queued: due soonest first), at most `limit`.
  Result<std::vector<JobRecord>> jobs_in_state(JobState state, size_t limit) const;
  // How many jobs are in `state` (walks the index).
  Result<uint64_t> count_jobs(JobState state) const;

 private:
  EvidenceStore() = default;
  class Batch;

  Result<std::optional<JobRecord>> read_job(uint64_t job_id) const;
  // The chain link of the record at `family`/`key`, or nothing when it has none (damaged).
  std::optional<ChainLink> link_of(std::string_view family, std::string_view key,
                                   const rocksdb::Snapshot* snapshot) const;
  Status check_writable() const;
  // Adds `records` and their links to `batch` after the current head; advances `head`.
  Status add_evidence(Batch& batch, std::span<const EvidenceRecord> records,
                      std::vector<AppendedRecord>& appended) AW_REQUIRES(write_mutex_);
  Status commit(Batch& batch, std::string_view operation) AW_REQUIRES(write_mutex_);
  // The one way a job changes: checks it is in one of `from`, writes `evidence`, lets `change`
  // edit the record (seeing where the evidence went), moves its jobs_by_state entry, and commits
  // it all in one synced batch.
  struct JobChange {
    JobRecord job;
    std::vector<AppendedRecord> appended;
  };
  Result<JobChange> change_job(uint64_t job_id, std::span<const JobState> from,
                               std::string_view operation, std::span<const EvidenceRecord> evidence,
                               const std::function<void(JobRecord&, std::span<const AppendedRecord>)>& change)
      AW_REQUIRES(write_mutex_);

  StoreAccess access_ = StoreAccess::kPrimary;
  std::unique_ptr<RocksDb> db_;
  std::unique_ptr<LinkHasher> hasher_;
  mutable std::mutex write_mutex_;
  ChainHead head_ AW_GUARDED_BY(write_mutex_);
  uint64_t last_job_id_ AW_GUARDED_BY(write_mutex_) = 0;
};

}  // namespace alignwatch::store
