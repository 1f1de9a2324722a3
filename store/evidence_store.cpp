#include "store/evidence_store.h"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <rocksdb/write_batch.h>
#include <simdjson.h>

#include "core/text.h"
#include "store/chain_verifier.h"
#include "store/digest.h"
#include "store/link_hasher.h"
#include "store/rocks_db.h"
#include "store/store_schema.h"

namespace alignwatch::store {

namespace {

rocksdb::Slice slice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }

bool is_json_object(std::string_view text) {
  // A full validating parse (simdjson's DOM parser: every byte checked, UTF-8 included) at a
  // small fraction of what nlohmann costs: scans commit tens of MB of evidence at once. One parser
  // per thread, reused, so its buffers are allocated once.
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element element;
  if (parser.parse(text.data(), text.size(), /*realloc_if_needed=*/true).get(element) != simdjson::SUCCESS) {
    return false;
  }
  return element.type() == simdjson::dom::element_type::OBJECT;
}

// Keys are written into links, logs and URLs: printable ASCII without '/'-only or empty parts.
bool is_valid_key(std::string_view key) {
  if (key.empty() || key.size() > 512) return false;
  return std::all_of(key.begin(), key.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

}  // namespace

// A write batch that remembers the job records it holds, so several transitions of one batch
// read each other's writes.
class EvidenceStore::Batch {
 public:
  rocksdb::WriteBatch batch;
  std::map<uint64_t, JobRecord> jobs;
  std::set<std::string> keys;  // chain_index keys of the evidence added so far
  ChainHead head;
};

EvidenceStore::~EvidenceStore() = default;

const std::string& EvidenceStore::path() const { return db_->path(); }

Result<std::unique_ptr<EvidenceStore>> EvidenceStore::open(const std::filesystem::path& path,
                                                           StoreAccess access,
                                                           const StoreOptions& options) {
  std::unique_ptr<EvidenceStore> store(new EvidenceStore());
  store->access_ = access;
  AW_ASSIGN_OR_RETURN(store->db_, RocksDb::open(path, access, options.secondary_path));
  store->hasher_ = std::make_unique<LinkHasher>(options.chain_secret);
  RocksDb& db = *store->db_;
  Location location{db.path()};

  AW_ASSIGN_OR_RETURN(auto version, db.get(cf::kMeta, meta::kSchemaVersion));
  AW_ASSIGN_OR_RETURN(auto mode, db.get(cf::kMeta, meta::kChainMode));
  AW_ASSIGN_OR_RETURN(auto key_id, db.get(cf::kMeta, meta::kChainKeyId));
  if (!version) {
    if (access != StoreAccess::kPrimary) {
      return make_error(StatusCode::kInvalidArgument,
                        "open: expected an initialised evidence store, got one without a schema "
                        "version",
                        location);
    }
    rocksdb::WriteBatch init;
    init.Put(db.cf(cf::kMeta), slice(meta::kSchemaVersion), slice(meta::kCurrentSchemaVersion));
    init.Put(db.cf(cf::kMeta), slice(meta::kChainMode), slice(store->hasher_->mode_name()));
    init.Put(db.cf(cf::kMeta), slice(meta::kChainKeyId), slice(store->hasher_->key_id()));
    init.Put(db.cf(cf::kMeta), slice(meta::kChainHead), slice(encode_chain_head(ChainHead{})));
    AW_RETURN_IF_ERROR(db.write_synced(init, "initialise store"));
  } else {
    if (*version != meta::kCurrentSchemaVersion) {
      return make_error(StatusCode::kUnsupported,
                        fmt::format("open: expected schema version {}, got {} [hint: a newer "
                                    "alignwatch wrote this store]",
                                    meta::kCurrentSchemaVersion, safe_excerpt(*version, 20)),
                        location);
    }
    const std::string stored_mode = mode.value_or("");
    if (stored_mode != store->hasher_->mode_name() ||
        key_id.value_or("") != store->hasher_->key_id()) {
      return make_error(
          StatusCode::kInvalidArgument,
          fmt::format("open: the audit chain was created with {}{}, but this process has {}{} "
                      "[hint: set store.chain_secret_file to the secret the store was created "
                      "with]",
                      safe_excerpt(stored_mode, 20),
                      key_id.value_or("").empty() ? "" : " (key id " + *key_id + ")",
                      store->hasher_->mode_name(),
                      store->hasher_->key_id().empty() ? ""
                                                       : " (key id " + store->hasher_->key_id() + ")"),
          location);
    }
  }
  std::lock_guard lock(store->write_mutex_);
  AW_ASSIGN_OR_RETURN(auto head_text, db.get(cf::kMeta, meta::kChainHead));
  if (head_text) {
    AW_ASSIGN_OR_RETURN(store->head_, decode_chain_head(*head_text));
  }
  AW_ASSIGN_OR_RETURN(auto job_counter, db.get(cf::kMeta, meta::kLastJobId));
  if (job_counter) store->last_job_id_ = decode_u64_be(*job_counter).value_or(0);
  return store;
}

Status EvidenceStore::catch_up() {
  if (access_ != StoreAccess::kSecondary) return Status::ok();
  return db_->status(db_->db().TryCatchUpWithPrimary(), "catch up with primary");
}

Status EvidenceStore::check_writable() const {
  if (access_ == StoreAccess::kPrimary) return Status::ok();
  return Status(StatusCode::kInvalidArgument, "write: the store is open read-only",
                Location{db_->path()});
}

Status EvidenceStore::add_evidence(Batch& batch, std::span<const EvidenceRecord> records,
                                   std::vector<AppendedRecord>& appended) {
  for (const EvidenceRecord& record : records) {
    const std::string_view family = evidence_column_family(record.kind);
    const uint64_t seq = batch.head.seq + 1;
    std::string key = record.key.empty() ? padded_decimal(seq) : record.key;
    const std::string where =
        fmt::format("append {} {}/{}", evidence_kind_name(record.kind), family,
                    safe_excerpt(key, 80));
    if (!is_valid_key(key)) {
      return Status(StatusCode::kInvalidArgument,
                    where + ": expected a key of 1-512 printable ASCII bytes without spaces");
    }
    if (!is_json_object(record.value_json)) {
      return Status(StatusCode::kInvalidArgument, where + ": expected a JSON object value");
    }
    AW_ASSIGN_OR_RETURN(auto existing, db_->get(family, key));
    if (existing || !batch.keys.insert(chain_index_key(family, key)).second) {
      return Status(StatusCode::kInvalidArgument,
                    where + ": a record already exists there (evidence is written once)");
    }
    ChainLink link;
    link.seq = seq;
    link.kind = std::string(evidence_kind_name(record.kind));
    link.column_family = std::string(family);
    link.key = key;
    AW_ASSIGN_OR_RETURN(link.body_sha256, sha256(record.value_json));
    link.prev_link_hash = batch.head.link_hash;
    AW_ASSIGN_OR_RETURN(link.link_hash, hasher_->hash(link));

    batch.batch.Put(db_->cf(family), slice(key), slice(record.value_json));
    batch.batch.Put(db_->cf(cf::kAuditChain), slice(encode_u64_be(seq)),
                    slice(encode_chain_link(link)));
    batch.batch.Put(db_->cf(cf::kChainIndex), slice(chain_index_key(family, key)),
                    slice(encode_u64_be(seq)));
    batch.head = ChainHead{seq, link.link_hash};
    appended.push_back(AppendedRecord{seq, std::move(key)});
  }
  return Status::ok();
}

Status EvidenceStore::commit(Batch& batch, std::string_view operation) {
  if (batch.head.seq != head_.seq) {
    batch.batch.Put(db_->cf(cf::kMeta), slice(meta::kChainHead),
                    slice(encode_chain_head(batch.head)));
  }
  for (const auto& [id, job] : batch.jobs) {
    batch.batch.Put(db_->cf(cf::kJobs), slice(job_key(id)), slice(encode_job_record(job)));
  }
  AW_RETURN_IF_ERROR(db_->write_synced(batch.batch, operation));
  head_ = batch.head;
  return Status::ok();
}

Result<std::vector<AppendedRecord>> EvidenceStore::append(std::span<const EvidenceRecord> records) {
  AW_RETURN_IF_ERROR(check_writable());
  std::lock_guard lock(write_mutex_);
  Batch batch;
  batch.head = head_;
  std::vector<AppendedRecord> appended;
  AW_RETURN_IF_ERROR(add_evidence(batch, records, appended));
  AW_RETURN_IF_ERROR(commit(batch, "append evidence"));
  return appended;
}

Result<AppendedRecord> EvidenceStore::append(EvidenceRecord record) {
  AW_ASSIGN_OR_RETURN(auto appended, append(std::span<const EvidenceRecord>(&record, 1)));
  return appended.front();
}

std::optional<ChainLink> EvidenceStore::link_of(std::string_view family, std::string_view key,
                                                const rocksdb::Snapshot* snapshot) const {
  // A record whose link is missing or unreadable is returned without one: readers still see it,
  // and verify() names the damage.
  auto seq_bytes = db_->get(cf::kChainIndex, chain_index_key(family, key), snapshot);
  if (!seq_bytes || !*seq_bytes) return std::nullopt;
  auto seq = decode_u64_be(**seq_bytes);
  if (!seq) return std::nullopt;
  auto text = db_->get(cf::kAuditChain, encode_u64_be(*seq), snapshot);
  if (!text || !*text) return std::nullopt;
  auto link = decode_chain_link(**text, fmt::format("audit_chain seq {}", *seq));
  return link ? std::optional<ChainLink>(std::move(*link)) : std::nullopt;
}

Result<std::optional<StoredRecord>> EvidenceStore::get(EvidenceKind kind,
                                                       std::string_view key) const {
  const std::string_view family = evidence_column_family(kind);
  ReadSnapshot snapshot(*db_);
  AW_ASSIGN_OR_RETURN(auto value, db_->get(family, key, snapshot.get()));
  if (!value) return std::optional<StoredRecord>();
  return std::optional<StoredRecord>(
      StoredRecord{std::string(key), std::move(*value), link_of(family, key, snapshot.get())});
}

Result<RecordPage> EvidenceStore::list(EvidenceKind kind, std::string_view prefix,
                                       std::string_view after, size_t limit) const {
  const std::string_view family = evidence_column_family(kind);
  ReadSnapshot snapshot(*db_);
  RecordPage page;
  auto it = db_->iterate(family, snapshot.get());
  std::string start = std::max(std::string(prefix), std::string(after));
  for (it->Seek(slice(start)); it->Valid(); it->Next()) {
    std::string_view key(it->key().data(), it->key().size());
    if (key.substr(0, prefix.size()) != prefix) break;
    if (!after.empty() && key == after) continue;
    if (page.records.size() == limit) {
      page.next_after = page.records.back().key;
      break;
    }
    page.records.push_back(StoredRecord{std::string(key), it->value().ToString(), std::nullopt});
  }
  AW_RETURN_IF_ERROR(db_->status(it->status(), "list", family));
  for (StoredRecord& record : page.records) record.link = link_of(family, record.key, snapshot.get());
  return page;
}

Result<std::optional<ChainLink>> EvidenceStore::link_at(uint64_t seq) const {
  AW_ASSIGN_OR_RETURN(auto text, db_->get(cf::kAuditChain, encode_u64_be(seq)));
  if (!text) return std::optional<ChainLink>();
  AW_ASSIGN_OR_RETURN(auto link, decode_chain_link(*text, fmt::format("audit_chain seq {}", seq)));
  return std::optional<ChainLink>(std::move(link));
}

Result<ChainHead> EvidenceStore::chain_head() const {
  AW_ASSIGN_OR_RETURN(auto text, db_->get(cf::kMeta, meta::kChainHead));
  if (!text) return ChainHead{};
  return decode_chain_head(*text);
}

Result<VerifyReport> EvidenceStore::verify() const { return verify_chain(*db_, *hasher_); }

// --- API tokens ---

namespace {

std::string encode_api_token(const ApiToken& token) {
  nlohmann::ordered_json json{{"token_sha256", token.token_sha256},
                              {"name", token.name},
                              {"role", token.role},
                              {"created_unix_ms", token.created_unix_ms},
                              {"revoked_unix_ms", token.revoked_unix_ms}};
  return json.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

Result<ApiToken> decode_api_token(std::string_view text, std::string_view key) {
  // nlohmann::json adapter boundary: parse without exceptions, read fields with checks only.
  auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  ApiToken token;
  if (json.is_object() && json.value("token_sha256", "") == key) {
    token.token_sha256 = std::string(key);
    token.name = json.value("name", "");
    token.role = json.value("role", "");
    token.created_unix_ms = json.value("created_unix_ms", int64_t{0});
    token.revoked_unix_ms = json.value("revoked_unix_ms", int64_t{0});
    if (!token.name.empty() && !token.role.empty()) return token;
  }
  return make_error(StatusCode::kCorruption,
                    "api_tokens " + safe_excerpt(key, 64) + ": expected a token record");
}

std::string token_change(std::string_view event, const ApiToken& token, int64_t unix_ms) {
  nlohmann::ordered_json json{{"event", event},
                              {"token_name", token.name},
                              {"role", token.role},
                              {"token_id", token.token_sha256.substr(0, 16)},
                              {"unix_ms", unix_ms}};
  return json.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace

Result<std::vector<ApiToken>> EvidenceStore::list_api_tokens() const {
  std::vector<ApiToken> tokens;
  auto it = db_->iterate(cf::kApiTokens);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    AW_ASSIGN_OR_RETURN(ApiToken token,
                        decode_api_token(std::string_view(it->value().data(), it->value().size()),
                                         std::string_view(it->key().data(), it->key().size())));
    tokens.push_back(std::move(token));
  }
  AW_RETURN_IF_ERROR(db_->status(it->status(), "list tokens", cf::kApiTokens));
  return tokens;
}

Result<std::optional<ApiToken>> EvidenceStore::find_api_token(std::string_view token_sha256) const {
  AW_ASSIGN_OR_RETURN(auto text, db_->get(cf::kApiTokens, token_sha256));
  if (!text) return std::optional<ApiToken>();
  AW_ASSIGN_OR_RETURN(ApiToken token, decode_api_token(*text, token_sha256));
  return std::optional<ApiToken>(std::move(token));
}

Result<AppendedRecord> EvidenceStore::add_api_token(const ApiToken& token) {
  AW_RETURN_IF_ERROR(check_writable());
  if (!is_sha256_hex(token.token_sha256) || token.name.empty() || token.name.size() > 128 ||
      token.role.empty() || token.revoked()) {
    return make_error(StatusCode::kInvalidArgument,
                      "add token: expected a SHA-256 hash, a name of 1-128 bytes and a role");
  }
  std::lock_guard lock(write_mutex_);
  AW_ASSIGN_OR_RETURN(auto existing, list_api_tokens());
  for (const ApiToken& other : existing) {
    if (other.token_sha256 == token.token_sha256 || (other.name == token.name && !other.revoked())) {
      return make_error(StatusCode::kInvalidArgument,
                        "add token: a token named '" + safe_excerpt(other.name, 64) +
                            "' (or with this hash) exists [hint: revoke it first]");
    }
  }
  Batch batch;
  batch.head = head_;
  std::vector<AppendedRecord> appended;
  const EvidenceRecord change{EvidenceKind::kConfigChange, "",
                              token_change("token_created", token, token.created_unix_ms)};
  AW_RETURN_IF_ERROR(add_evidence(batch, std::span(&change, 1), appended));
  batch.batch.Put(db_->cf(cf::kApiTokens), slice(token.token_sha256), slice(encode_api_token(token)));
  AW_RETURN_IF_ERROR(commit(batch, "add token"));
  return appended.front();
}

Result<AppendedRecord> EvidenceStore::revoke_api_token(std::string_view name, int64_t now_unix_ms) {
  AW_RETURN_IF_ERROR(check_writable());
  std::lock_guard lock(write_mutex_);
  AW_ASSIGN_OR_RETURN(auto tokens, list_api_tokens());
  for (ApiToken& token : tokens) {
    if (token.name != name || token.revoked()) continue;
    token.revoked_unix_ms = now_unix_ms;
    Batch batch;
    batch.head = head_;
    std::vector<AppendedRecord> appended;
    const EvidenceRecord change{EvidenceKind::kConfigChange, "",
                                token_change("token_revoked", token, now_unix_ms)};
    AW_RETURN_IF_ERROR(add_evidence(batch, std::span(&change, 1), appended));
    batch.batch.Put(db_->cf(cf::kApiTokens), slice(token.token_sha256), slice(encode_api_token(token)));
    AW_RETURN_IF_ERROR(commit(batch, "revoke token"));
    return appended.front();
  }
  return make_error(StatusCode::kNotFound,
                    "revoke token: no valid token named '" + safe_excerpt(name, 64) + "'");
}

// --- jobs ---

Result<std::optional<JobRecord>> EvidenceStore::read_job(uint64_t job_id) const {
  AW_ASSIGN_OR_RETURN(auto text, db_->get(cf::kJobs, job_key(job_id)));
  if (!text) return std::optional<JobRecord>();
  AW_ASSIGN_OR_RETURN(auto job, decode_job_record(*text, fmt::format("jobs {}", job_id)));
  return std::optional<JobRecord>(std::move(job));
}

Result<std::optional<JobRecord>> EvidenceStore::job(uint64_t job_id) const {
  return read_job(job_id);
}

Result<JobRecord> EvidenceStore::create_job(const JobSpec& spec,
                                            std::span<const EvidenceRecord> evidence,
                                            int64_t now_unix_ms) {
  AW_RETURN_IF_ERROR(check_writable());
  if (!is_sha256_hex(spec.artifact_sha256)) {
    return make_error(StatusCode::kInvalidArgument,
                      "create job: expected an artifact id of 64 lowercase hex digits, got " +
                          safe_excerpt(spec.artifact_sha256, 80));
  }
  if (!is_json_object(spec.payload_json)) {
    return make_error(StatusCode::kInvalidArgument,
                      "create job: expected a JSON object payload");
  }
  std::lock_guard lock(write_mutex_);
  Batch batch;
  batch.head = head_;
  std::vector<AppendedRecord> appended;
  AW_RETURN_IF_ERROR(add_evidence(batch, evidence, appended));
  JobRecord job;
  job.id = last_job_id_ + 1;
  job.artifact_sha256 = spec.artifact_sha256;
  job.payload_json = spec.payload_json;
  job.state = JobState::kQueued;
  job.created_unix_ms = job.updated_unix_ms = now_unix_ms;
  batch.batch.Put(db_->cf(cf::kMeta), slice(meta::kLastJobId), slice(encode_u64_be(job.id)));
  batch.batch.Put(db_->cf(cf::kArtifactJobs), slice(spec.artifact_sha256),
                  slice(encode_u64_be(job.id)));
  batch.batch.Put(db_->cf(cf::kJobsByState), slice(job_state_index_key(job)), rocksdb::Slice());
  batch.jobs[job.id] = job;
  AW_RETURN_IF_ERROR(commit(batch, "create job"));
  last_job_id_ = job.id;
  return job;
}

Result<std::optional<uint64_t>> EvidenceStore::job_for_artifact(
    std::string_view artifact_sha256) const {
  AW_ASSIGN_OR_RETURN(auto value, db_->get(cf::kArtifactJobs, artifact_sha256));
  if (!value) return std::optional<uint64_t>();
  return decode_u64_be(*value);
}

Result<EvidenceStore::JobChange> EvidenceStore::change_job(
    uint64_t job_id, std::span<const JobState> from, std::string_view operation,
    std::span<const EvidenceRecord> evidence,
    const std::function<void(JobRecord&, std::span<const AppendedRecord>)>& change) {
  AW_ASSIGN_OR_RETURN(auto stored, read_job(job_id));
  if (!stored) {
    return make_error(StatusCode::kNotFound, fmt::format("{}: job {} does not exist", operation, job_id));
  }
  if (std::find(from.begin(), from.end(), stored->state) == from.end()) {
    return make_error(StatusCode::kInvalidArgument,
                      fmt::format("{}: job {} is {}, expected {}", operation, job_id,
                                  job_state_name(stored->state), job_state_name(from.front())));
  }
  JobChange result{std::move(*stored), {}};
  Batch batch;
  batch.head = head_;
  AW_RETURN_IF_ERROR(add_evidence(batch, evidence, result.appended));
  batch.batch.Delete(db_->cf(cf::kJobsByState), slice(job_state_index_key(result.job)));
  change(result.job, result.appended);
  batch.batch.Put(db_->cf(cf::kJobsByState), slice(job_state_index_key(result.job)), rocksdb::Slice());
  batch.jobs[result.job.id] = result.job;
  AW_RETURN_IF_ERROR(commit(batch, operation));
  return result;
}

Result<std::optional<JobRecord>> EvidenceStore::claim_next(int64_t now_unix_ms) {
  AW_RETURN_IF_ERROR(check_writable());
  std::lock_guard lock(write_mutex_);
  const std::string prefix = job_state_index_prefix(JobState::kQueued);
  auto it = db_->iterate(cf::kJobsByState);
  it->Seek(slice(prefix));
  if (!it->Valid() || !it->key().starts_with(slice(prefix))) {
    AW_RETURN_IF_ERROR(db_->status(it->status(), "claim job", cf::kJobsByState));
    return std::optional<JobRecord>();
  }
  const std::string index_key = it->key().ToString();
  auto entry = parse_job_state_index_key(index_key);
  if (!entry) {
    return make_error(StatusCode::kCorruption,
                      "claim job: malformed jobs_by_state key " + safe_excerpt(index_key, 80),
                      Location{db_->path()});
  }
  if (entry->not_before_unix_ms > now_unix_ms) return std::optional<JobRecord>();
  static constexpr JobState kFrom[] = {JobState::kQueued};
  AW_ASSIGN_OR_RETURN(JobChange claimed,
                      change_job(entry->job_id, kFrom, "claim job", {}, [&](JobRecord& job, auto) {
                        job.state = JobState::kRunning;
                        job.attempts += 1;
                        job.started_unix_ms = job.updated_unix_ms = now_unix_ms;
                      }));
  return std::optional<JobRecord>(std::move(claimed.job));
}

Result<std::vector<AppendedRecord>> EvidenceStore::finish_job(
    uint64_t job_id, std::span<const EvidenceRecord> evidence, size_t report_index,
    int64_t now_unix_ms) {
  AW_RETURN_IF_ERROR(check_writable());
  if (report_index >= evidence.size() || evidence[report_index].kind != EvidenceKind::kReport) {
    return make_error(StatusCode::kInvalidArgument,
                      fmt::format("finish job {}: expected a report record at index {}", job_id,
                                  report_index));
  }
  std::lock_guard lock(write_mutex_);
  static constexpr JobState kFrom[] = {JobState::kRunning};
  AW_ASSIGN_OR_RETURN(JobChange finished,
                      change_job(job_id, kFrom, "finish job", evidence,
                                 [&](JobRecord& job, std::span<const AppendedRecord> appended) {
                                   job.state = JobState::kDone;
                                   job.finished_unix_ms = job.updated_unix_ms = now_unix_ms;
                                   job.report_key = appended[report_index].key;
                                   job.report_seq = appended[report_index].seq;
                                   job.error.clear();
                                 }));
  return std::move(finished.appended);
}

Result<std::vector<AppendedRecord>> EvidenceStore::fail_job(
    uint64_t job_id, std::string error, std::optional<int64_t> retry_at_unix_ms,
    std::span<const EvidenceRecord> evidence, int64_t now_unix_ms) {
  AW_RETURN_IF_ERROR(check_writable());
  std::lock_guard lock(write_mutex_);
  static constexpr JobState kFrom[] = {JobState::kRunning};
  AW_ASSIGN_OR_RETURN(JobChange failed,
                      change_job(job_id, kFrom, "fail job", evidence, [&](JobRecord& job, auto) {
                        job.error = std::move(error);
                        job.updated_unix_ms = now_unix_ms;
                        if (retry_at_unix_ms) {
                          job.state = JobState::kQueued;
                          job.not_before_unix_ms = *retry_at_unix_ms;
                        } else {
                          job.state = JobState::kFailed;
                          job.finished_unix_ms = now_unix_ms;
                        }
                      }));
  return std::move(failed.appended);
}

Result<std::vector<AppendedRecord>> EvidenceStore::reject_job(
    uint64_t job_id, std::string reason, std::span<const EvidenceRecord> evidence,
    int64_t now_unix_ms) {
  AW_RETURN_IF_ERROR(check_writable());
  std::lock_guard lock(write_mutex_);
  static constexpr JobState kFrom[] = {JobState::kRunning, JobState::kQueued};
  AW_ASSIGN_OR_RETURN(JobChange rejected,
                      change_job(job_id, kFrom, "reject job", evidence, [&](JobRecord& job, auto) {
                        job.state = JobState::kRejected;
                        job.error = std::move(reason);
                        job.finished_unix_ms = job.updated_unix_ms = now_unix_ms;
                      }));
  return std::move(rejected.appended);
}

Result<size_t> EvidenceStore::recover_running_jobs(int64_t now_unix_ms) {
  AW_RETURN_IF_ERROR(check_writable());
  std::lock_guard lock(write_mutex_);
  Batch batch;
  batch.head = head_;
  const std::string prefix = job_state_index_prefix(JobState::kRunning);
  auto it = db_->iterate(cf::kJobsByState);
  for (it->Seek(slice(prefix)); it->Valid() && it->key().starts_with(slice(prefix)); it->Next()) {
    auto entry = parse_job_state_index_key(it->key().ToString());
    if (!entry) continue;
    AW_ASSIGN_OR_RETURN(auto job, read_job(entry->job_id));
    if (!job || job->state != JobState::kRunning) continue;
    batch.batch.Delete(db_->cf(cf::kJobsByState), it->key());
    job->state = JobState::kQueued;
    job->not_before_unix_ms = 0;  // interrupted work goes first
    job->updated_unix_ms = now_unix_ms;
    job->error = "interrupted (the daemon stopped while it ran)";
    batch.batch.Put(db_->cf(cf::kJobsByState), slice(job_state_index_key(*job)), rocksdb::Slice());
    batch.jobs[job->id] = std::move(*job);
  }
  AW_RETURN_IF_ERROR(db_->status(it->status(), "recover jobs", cf::kJobsByState));
  if (batch.jobs.empty()) return size_t{0};
  AW_RETURN_IF_ERROR(commit(batch, "recover jobs"));
  return batch.jobs.size();
}

Status EvidenceStore::update_job_payload(uint64_t job_id, std::string payload_json,
                                         int64_t now_unix_ms) {
  AW_RETURN_IF_ERROR(check_writable());
  if (!is_json_object(payload_json)) {
    return Status(StatusCode::kInvalidArgument, "update job: expected a JSON object payload");
  }
  std::lock_guard lock(write_mutex_);
  static constexpr JobState kFrom[] = {JobState::kRunning};
  AW_ASSIGN_OR_RETURN(JobChange updated,
                      change_job(job_id, kFrom, "update job", {}, [&](JobRecord& job, auto) {
                        job.payload_json = std::move(payload_json);
                        job.updated_unix_ms = now_unix_ms;
                      }));
  (void)updated;
  return Status::ok();
}

Result<std::vector<JobRecord>> EvidenceStore::jobs_in_state(JobState state, size_t limit) const {
  std::vector<JobRecord> jobs;
  const std::string prefix = job_state_index_prefix(state);
  auto it = db_->iterate(cf::kJobsByState);
  for (it->Seek(slice(prefix)); it->Valid() && it->key().starts_with(slice(prefix)) &&
                                jobs.size() < limit;
       it->Next()) {
    auto entry = parse_job_state_index_key(it->key().ToString());
    if (!entry) continue;
    AW_ASSIGN_OR_RETURN(auto job, read_job(entry->job_id));
    if (job) jobs.push_back(std::move(*job));
  }
  AW_RETURN_IF_ERROR(db_->status(it->status(), "list jobs", cf::kJobsByState));
  return jobs;
}

Result<uint64_t> EvidenceStore::count_jobs(JobState state) const {
  uint64_t count = 0;
  const std::string prefix = job_state_index_prefix(state);
  auto it = db_->iterate(cf::kJobsByState);
  for (it->Seek(slice(prefix)); it->Valid() && it->key().starts_with(slice(prefix)); it->Next()) {
    ++count;
  }
  AW_RETURN_IF_ERROR(db_->status(it->status(), "count jobs", cf::kJobsByState));
  return count;
}

}  // namespace alignwatch::store
