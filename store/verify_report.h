#pragma once
// What `EvidenceStore::verify()` found: either an intact chain and how much it covered, or the
// first problem in chain order, naming the record concerned.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace alignwatch::store {

enum class ChainProblemKind {
  kRecordChanged,     // the record's bytes no longer hash to what its link recorded
  kRecordMissing,     // a link refers to a record that is gone
  kRecordNotInChain,  // a record exists without a link that refers to it (inserted)
  kLinkAltered,       // a link's fields no longer hash to its link hash (or a different secret)
  kLinkReordered,     // a link sits at another position, or does not follow the previous link
  kLinkMissing,       // a position in the chain has no link (removed)
  kLinkUnreadable,    // a link's value is not a well-formed link
  kIndexMismatch,     // chain_index disagrees with the chain about where a record is
  kHeadMismatch,      // meta chain/head does not match the last link (truncated or appended to)
  kStorageCorrupt,    // RocksDB reported a checksum or format error reading this entry
};

// "record_changed", "link_reordered", ...
std::string_view chain_problem_kind_name(ChainProblemKind kind);

struct ChainProblem {
  ChainProblemKind kind = ChainProblemKind::kRecordChanged;
  uint64_t seq = 0;           // chain position concerned; 0 when none applies
  std::string evidence_kind;  // "report", ... ; empty when unknown
  std::string column_family;
  std::string key;
  std::string detail;  // what differs: expected vs found

  // "seq 7 (report reports/<key>): record_changed: <detail>"
  std::string to_string() const;
};

struct VerifyReport {
  uint64_t links_checked = 0;    // links whose hash and record were checked and found intact
  uint64_t records_checked = 0;  // evidence records whose link was found (insertion check)
  uint64_t head_seq = 0;         // the chain head's seq as stored
  std::string mode;              // "sha256" or "hmac-sha256": how this verify hashed
  std::optional<ChainProblem> first_problem;

  bool intact() const { return !first_problem.has_value(); }
  // "chain intact: N links" or "chain broken at ...".
  std::string to_string() const;
};

}  // namespace alignwatch::store
