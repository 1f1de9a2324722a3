#pragma once
// Sends stored alerts to their outputs beside the store: the JSONL file, the log (the journal
// under systemd) and the webhook. Called only after the alert is durably in the store, so an
// output never shows an alert the evidence lacks.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "config/config.h"
#include "core/status.h"
#include "daemon/webhook_sender.h"

namespace alignwatch::daemon {

class WebhookSender;

// The webhook a config names, with its signing secret read.
struct ResolvedWebhook {
  WebhookTarget target;
  std::string secret;  // empty: unsigned
};
// Nothing when no webhook is configured; an error naming the option when the URL or the secret
// file is unusable.
Result<std::optional<ResolvedWebhook>> resolve_webhook(const config::AlertsConfig& config);
// The same check without building anything (--validate-config, reload's dry run).
Status check_alert_outputs(const config::AlertsConfig& config);

class AlertDispatcher {
 public:
  // Fails when the webhook URL or secret file is unusable (checked at start-up and on reload).
  static Result<std::unique_ptr<AlertDispatcher>> create(const config::AlertsConfig& config,
                                                         std::filesystem::path jsonl_path);
  ~AlertDispatcher();

  // `alert_json` is the stored value; `alert_id` its key. Thread-safe.
  void dispatch(const std::string& alert_id, const std::string& alert_json);

  uint64_t webhook_dropped() const;
  uint64_t webhook_delivered() const;

 private:
  AlertDispatcher() = default;
  std::filesystem::path jsonl_path_;
  std::mutex jsonl_mutex_;
  std::unique_ptr<WebhookSender> webhook_;
};

}  // namespace alignwatch::daemon
