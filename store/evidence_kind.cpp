#include "store/evidence_kind.h"

#include <array>

#include "store/store_schema.h"

namespace alignwatch::store {

namespace {

constexpr std::array kAllKinds = {
    EvidenceKind::kArtifact,     EvidenceKind::kSubmission,      EvidenceKind::kReport,
    EvidenceKind::kFinding,      EvidenceKind::kAlert,           EvidenceKind::kAcknowledgement,
    EvidenceKind::kConfigChange, EvidenceKind::kRejection,
};

}  // namespace

std::span<const EvidenceKind> all_evidence_kinds() { return kAllKinds; }

std::string_view evidence_kind_name(EvidenceKind kind) {
  switch (kind) {
    case EvidenceKind::kArtifact: return "artifact";
    case EvidenceKind::kSubmission: return "submission";
    case EvidenceKind::kReport: return "report";
    case EvidenceKind::kFinding: return "finding";
    case EvidenceKind::kAlert: return "alert";
    case EvidenceKind::kAcknowledgement: return "acknowledgement";
    case EvidenceKind::kConfigChange: return "config_change";
    case EvidenceKind::kRejection: return "rejection";
  }
  return "unknown";
}

std::optional<EvidenceKind> parse_evidence_kind(std::string_view name) {
  for (EvidenceKind kind : kAllKinds) {
    if (evidence_kind_name(kind) == name) return kind;
  }
  return std::nullopt;
}

std::string_view evidence_column_family(EvidenceKind kind) {
  switch (kind) {
    case EvidenceKind::kArtifact: return cf::kArtifacts;
    case EvidenceKind::kSubmission: return cf::kSubmissions;
    case EvidenceKind::kReport: return cf::kReports;
    case EvidenceKind::kFinding: return cf::kFindings;
    case EvidenceKind::kAlert: return cf::kAlerts;
    case EvidenceKind::kAcknowledgement: return cf::kAlertAcks;
    case EvidenceKind::kConfigChange: return cf::kConfigChanges;
    case EvidenceKind::kRejection: return cf::kRejections;
  }
  return cf::kArtifacts;
}

}  // namespace alignwatch::store
