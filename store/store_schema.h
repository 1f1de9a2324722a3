#pragma once
// The on-disk layout of the evidence store: one RocksDB column family per kind of record, named
// so that someone opening the database with `ldb` can tell what each holds, and the encoding of
// every key and value. The store and the tools that read or (in tests) tamper with it use these
// names; nothing else spells them.
//
// Column family   Key                                       Value
// --------------  ----------------------------------------  -------------------------------------
// artifacts       SHA-256 of the artifact, 64 lowercase hex JSON metadata                    [E]
// submissions     caller's key (usually the chain seq)      JSON {artifact_sha256, name, ...} [E]
// reports         "<artifact sha256>/<job id>"              JSON scan report                 [E]
// findings        caller's key                              JSON finding                     [E]
// alerts          alert id (caller's key, usually seq)      JSON alert                       [E]
// alert_acks      "<alert id>/<seq>"                        JSON {by, reason, ...}           [E]
// config_changes  caller's key                              JSON                             [E]
// rejections      caller's key, or the job id               JSON {reason, ...}               [E]
// jobs            job id                                    JSON JobRecord (job_record.h)
// artifact_jobs   SHA-256 of the artifact                   job id, 8 bytes big-endian
// jobs_by_state   "<state>/<job id>", and for queued jobs   empty
//                 "queued/<not-before ms>/<job id>"
// api_tokens      SHA-256 of the token, 64 lowercase hex    JSON ApiToken (evidence_store.h); the
//                                                           token itself is never stored
// audit_chain     seq, 8 bytes big-endian                   JSON ChainLink (chain_link.h)
// chain_index     "<column family>/<key>"                   seq, 8 bytes big-endian
// meta            see meta:: below
//
// Jobs and API tokens are mutable state; creating or revoking a token also appends a
// config_changes record.
// [E] evidence: written once, only through EvidenceStore's append path, each with a chain link
// that hashes its exact value bytes. Jobs are mutable state and are not chained; a job's report
// is. Job ids, seqs inside text keys and not-before times are 20 zero-padded decimal digits, so
// text keys sort numerically. Values are stored exactly as the caller gave them (after checking
// they are a JSON object), so their SHA-256 is stable.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace alignwatch::store {

namespace cf {
inline constexpr std::string_view kDefault = "default";  // required by RocksDB, unused
inline constexpr std::string_view kArtifacts = "artifacts";
inline constexpr std::string_view kSubmissions = "submissions";
inline constexpr std::string_view kReports = "reports";
inline constexpr std::string_view kFindings = "findings";
inline constexpr std::string_view kAlerts = "alerts";
inline constexpr std::string_view kAlertAcks = "alert_acks";
inline constexpr std::string_view kConfigChanges = "config_changes";
inline constexpr std::string_view kRejections = "rejections";
inline constexpr std::string_view kJobs = "jobs";
inline constexpr std::string_view kArtifactJobs = "artifact_jobs";
inline constexpr std::string_view kJobsByState = "jobs_by_state";
inline constexpr std::string_view kAuditChain = "audit_chain";
inline constexpr std::string_view kChainIndex = "chain_index";
inline constexpr std::string_view kMeta = "meta";
inline constexpr std::string_view kApiTokens = "api_tokens";

// Every column family the store creates, "default" first.
std::span<const std::string_view> all();
}  // namespace cf

namespace meta {
// "1". A store with another version is refused rather than misread.
inline constexpr std::string_view kSchemaVersion = "schema_version";
inline constexpr std::string_view kCurrentSchemaVersion = "1";
// JSON {"seq": N, "link_hash": "<hex>"}: the last link. Written in the same batch as every link.
inline constexpr std::string_view kChainHead = "chain/head";
// "sha256" or "hmac-sha256": how links were hashed when the store was created.
inline constexpr std::string_view kChainMode = "chain/mode";
// Hex fingerprint of the HMAC secret (link_hasher.h), empty in sha256 mode. Lets an open or a
// verify with the wrong secret say so instead of only reporting link 1 as altered.
inline constexpr std::string_view kChainKeyId = "chain/key_id";
// The last job id handed out, 8 bytes big-endian.
inline constexpr std::string_view kLastJobId = "counter/job_id";
}  // namespace meta

// 8-byte big-endian encoding, so RocksDB's bytewise order is numeric order.
std::string encode_u64_be(uint64_t value);
// The value of an 8-byte big-endian string, or nothing when it is not 8 bytes.
std::optional<uint64_t> decode_u64_be(std::string_view bytes);

// `value` as 20 zero-padded decimal digits: text keys that sort numerically.
std::string padded_decimal(uint64_t value);
// The value of a 20-digit padded decimal, or nothing when `text` is not one.
std::optional<uint64_t> parse_padded_decimal(std::string_view text);

// Key of a job in `jobs`.
inline std::string job_key(uint64_t job_id) { return padded_decimal(job_id); }

// Key of a record's entry in `chain_index`. Column family names contain no '/', so the first '/'
// separates the two parts.
std::string chain_index_key(std::string_view column_family, std::string_view key);

}  // namespace alignwatch::store
