#include "daemon/alert_acknowledgement.h"

#include <nlohmann/json.hpp>

#include "core/text.h"

namespace alignwatch::daemon {

Result<store::AppendedRecord> acknowledge_alert(store::EvidenceStore& store,
                                                const std::string& alert_id, const std::string& by,
                                                const std::string& reason,
                                                const std::string& request_id, int64_t now_unix_ms) {
  if (by.empty() || reason.empty()) {
    return make_error(StatusCode::kInvalidArgument, "an acknowledgement needs \"by\" and \"reason\"");
  }
  AW_ASSIGN_OR_RETURN(auto alert, store.get(store::EvidenceKind::kAlert, alert_id));
  if (!alert) {
    return make_error(StatusCode::kNotFound, "no alert with id '" + safe_excerpt(alert_id, 40) + "'");
  }
  nlohmann::ordered_json ack{{"alert_id", alert_id},
                             {"by", by},
                             {"reason", reason},
                             {"request_id", request_id},
                             {"acknowledged_unix_ms", now_unix_ms}};
  return store.append(store::EvidenceRecord{
      store::EvidenceKind::kAcknowledgement, alert_id + "/" + request_id,
      ack.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace)});
}

}  // namespace alignwatch::daemon
