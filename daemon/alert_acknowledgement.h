#pragma once
// Acknowledging an alert: who and why, kept as chained evidence under "<alert id>/<request id>".
// Shared by the daemon (requests through its control inbox) and the CLI (when no daemon runs).

#include <cstdint>
#include <string>

#include "core/status.h"
#include "store/evidence_store.h"

namespace alignwatch::daemon {

// kNotFound when there is no such alert, kInvalidArgument when `by` or `reason` is empty or the
// request id was used before.
Result<store::AppendedRecord> acknowledge_alert(store::EvidenceStore& store,
                                                const std::string& alert_id, const std::string& by,
                                                const std::string& reason,
                                                const std::string& request_id, int64_t now_unix_ms);

}  // namespace alignwatch::daemon
