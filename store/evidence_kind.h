#pragma once
// The kinds of evidence record the store keeps, and the column family each one lives in.
// A kind's name is hashed into every chain link that refers to a record of that kind, so names
// are part of the on-disk format: never rename one, only add new kinds.

#include <optional>
#include <span>
#include <string_view>

namespace alignwatch::store {

enum class EvidenceKind {
  kArtifact,         // metadata of a content-addressed artifact (dataset, adapter)
  kSubmission,       // one push of an artifact: name, submitter, pipeline id, time
  kReport,           // a finished scan's report
  kFinding,          // one finding, when the daemon stores them apart from the report
  kAlert,            // an alert raised from scan results
  kAcknowledgement,  // who acknowledged an alert, and why
  kConfigChange,     // a configuration loaded or reloaded, or a reload refused
  kRejection,        // an input refused at intake or by a worker (hostile name, device file, ...)
};

// Every kind, in declaration order.
std::span<const EvidenceKind> all_evidence_kinds();

// The stable name hashed into chain links ("artifact", "acknowledgement", ...).
std::string_view evidence_kind_name(EvidenceKind kind);

// The kind whose name is `name`, or nothing for an unknown name.
std::optional<EvidenceKind> parse_evidence_kind(std::string_view name);

// The column family holding records of this kind ("artifacts", "alert_acks", ...).
std::string_view evidence_column_family(EvidenceKind kind);

}  // namespace alignwatch::store
