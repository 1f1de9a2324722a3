#include "store/chain_verifier.h"

#include <fmt/format.h>

#include "store/chain_head.h"
#include "store/digest.h"
#include "store/evidence_kind.h"
#include "store/store_schema.h"

namespace alignwatch::store {

namespace {

ChainProblem problem(ChainProblemKind kind, uint64_t seq, std::string detail,
                     const ChainLink* link = nullptr) {
  ChainProblem p;
  p.kind = kind;
  p.seq = seq;
  p.detail = std::move(detail);
  if (link) {
    p.evidence_kind = link->kind;
    p.column_family = link->column_family;
    p.key = link->key;
  }
  return p;
}

bool is_evidence_family(std::string_view name) {
  for (EvidenceKind kind : all_evidence_kinds()) {
    if (evidence_column_family(kind) == name) return true;
  }
  return false;
}

}  // namespace

Result<VerifyReport> verify_chain(const RocksDb& db, const LinkHasher& hasher) {
  VerifyReport report;
  report.mode = std::string(hasher.mode_name());
  ReadSnapshot snapshot(db);

  AW_ASSIGN_OR_RETURN(auto head_text, db.get(cf::kMeta, meta::kChainHead, snapshot.get()));
  ChainHead head;
  if (head_text) {
    auto decoded = decode_chain_head(*head_text);
    if (!decoded) {
      report.first_problem = problem(ChainProblemKind::kHeadMismatch, 0,
                                     "meta chain/head is unreadable: " + decoded.error().message());
      return report;
    }
    head = *decoded;
  }
  report.head_seq = head.seq;

  uint64_t expected_seq = 1;
  Sha256Digest prev{};
  auto it = db.iterate(cf::kAuditChain, snapshot.get());
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    auto key_seq = decode_u64_be(std::string_view(it->key().data(), it->key().size()));
    if (!key_seq) {
      report.first_problem = problem(ChainProblemKind::kLinkUnreadable, expected_seq,
                                     "an audit_chain key that is not an 8-byte seq");
      return report;
    }
    if (*key_seq != expected_seq) {
      report.first_problem = problem(
          ChainProblemKind::kLinkMissing, expected_seq,
          fmt::format("expected link {}, the next link stored is {}", expected_seq, *key_seq));
      return report;
    }
    auto link = decode_chain_link(it->value().ToString(), fmt::format("audit_chain seq {}", *key_seq));
    if (!link) {
      report.first_problem =
          problem(ChainProblemKind::kLinkUnreadable, expected_seq, link.error().message());
      return report;
    }
    if (link->seq != expected_seq) {
      report.first_problem = problem(
          ChainProblemKind::kLinkReordered, expected_seq,
          fmt::format("the link stored at position {} says it is link {}", expected_seq, link->seq),
          &*link);
      return report;
    }
    if (link->prev_link_hash != prev) {
      report.first_problem =
          problem(ChainProblemKind::kLinkReordered, expected_seq,
                  fmt::format("expected previous link hash {}, got {}", to_hex(prev),
                              to_hex(link->prev_link_hash)),
                  &*link);
      return report;
    }
    AW_ASSIGN_OR_RETURN(Sha256Digest recomputed, hasher.hash(*link));
    if (recomputed != link->link_hash) {
      report.first_problem = problem(
          ChainProblemKind::kLinkAltered, expected_seq,
          fmt::format("expected link hash {}, got {} [hint: a link field was changed, or the "
                      "chain secret differs]",
                      to_hex(recomputed), to_hex(link->link_hash)),
          &*link);
      return report;
    }
    auto record = db.get(link->column_family, link->key, snapshot.get());
    if (!record && record.error().code() == StatusCode::kCorruption) {
      report.first_problem = problem(ChainProblemKind::kStorageCorrupt, expected_seq,
                                     record.error().message(), &*link);
      return report;
    }
    if (!record) return std::unexpected(record.error());
    if (db.cf(link->column_family) == nullptr || !record->has_value()) {
      report.first_problem = problem(ChainProblemKind::kRecordMissing, expected_seq,
                                     "the record this link refers to is gone", &*link);
      return report;
    }
    AW_ASSIGN_OR_RETURN(Sha256Digest body, sha256(**record));
    if (body != link->body_sha256) {
      report.first_problem = problem(
          ChainProblemKind::kRecordChanged, expected_seq,
          fmt::format("expected record SHA-256 {}, got {}", to_hex(link->body_sha256), to_hex(body)),
          &*link);
      return report;
    }
    AW_ASSIGN_OR_RETURN(auto index, db.get(cf::kChainIndex,
                                           chain_index_key(link->column_family, link->key),
                                           snapshot.get()));
    if (!index || decode_u64_be(*index) != expected_seq) {
      report.first_problem =
          problem(ChainProblemKind::kIndexMismatch, expected_seq,
                  "chain_index does not point at this link for the record", &*link);
      return report;
    }
    prev = link->link_hash;
    report.links_checked = expected_seq;
    ++expected_seq;
  }
  if (it->status().IsCorruption()) {
    report.first_problem =
        problem(ChainProblemKind::kStorageCorrupt, expected_seq, it->status().ToString());
    return report;
  }
  AW_RETURN_IF_ERROR(db.status(it->status(), "verify", cf::kAuditChain));

  const uint64_t last = expected_seq - 1;
  if (head.seq != last || head.link_hash != prev) {
    report.first_problem = problem(
        ChainProblemKind::kHeadMismatch, last,
        fmt::format("the chain head says seq {} ({}), the last link is seq {} ({}) [hint: links "
                    "were removed from the end, or added without the store]",
                    head.seq, to_hex(head.link_hash), last, to_hex(prev)));
    return report;
  }

  // Every evidence record must be in the chain: one inserted beside it is tampering too.
  for (std::string_view family : cf::all()) {
    if (!is_evidence_family(family)) continue;
    auto records = db.iterate(family, snapshot.get());
    for (records->SeekToFirst(); records->Valid(); records->Next()) {
      std::string key = records->key().ToString();
      AW_ASSIGN_OR_RETURN(auto index,
                          db.get(cf::kChainIndex, chain_index_key(family, key), snapshot.get()));
      if (!index) {
        ChainProblem p = problem(ChainProblemKind::kRecordNotInChain, 0,
                                 "a record with no link in the chain (inserted)");
        p.column_family = std::string(family);
        p.key = key;
        report.first_problem = std::move(p);
        return report;
      }
      ++report.records_checked;
    }
    AW_RETURN_IF_ERROR(db.status(records->status(), "verify", family));
  }
  return report;
}

}  // namespace alignwatch::store
