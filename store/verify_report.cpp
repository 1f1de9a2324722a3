#include "store/verify_report.h"

#include <fmt/format.h>

#include "core/text.h"

namespace alignwatch::store {

std::string_view chain_problem_kind_name(ChainProblemKind kind) {
  switch (kind) {
    case ChainProblemKind::kRecordChanged: return "record_changed";
    case ChainProblemKind::kRecordMissing: return "record_missing";
    case ChainProblemKind::kRecordNotInChain: return "record_not_in_chain";
    case ChainProblemKind::kLinkAltered: return "link_altered";
    case ChainProblemKind::kLinkReordered: return "link_reordered";
    case ChainProblemKind::kLinkMissing: return "link_missing";
    case ChainProblemKind::kLinkUnreadable: return "link_unreadable";
    case ChainProblemKind::kIndexMismatch: return "index_mismatch";
    case ChainProblemKind::kHeadMismatch: return "head_mismatch";
    case ChainProblemKind::kStorageCorrupt: return "storage_corrupt";
  }
  return "unknown";
}

std::string ChainProblem::to_string() const {
  std::string where = seq > 0 ? fmt::format("seq {}", seq) : std::string("chain");
  if (!column_family.empty() || !key.empty()) {
    // Keys are printable ASCII when written through the store, but a tampered store may hold
    // anything: escape before it reaches a terminal or a log.
    where += fmt::format(" ({}{}{}/{})", evidence_kind, evidence_kind.empty() ? "" : " ",
                         column_family, safe_excerpt(key, 160));
  }
  return fmt::format("{}: {}: {}", where, chain_problem_kind_name(kind), detail);
}

std::string VerifyReport::to_string() const {
  if (intact()) {
    return fmt::format("chain intact: {} links, {} records, head seq {}, {}", links_checked,
                       records_checked, head_seq, mode);
  }
  return fmt::format("chain broken at {} ({} links intact before it, {})",
                     first_problem->to_string(), links_checked, mode);
}

}  // namespace alignwatch::store
