#include "daemon/alert_dispatcher.h"

#include <fcntl.h>
#include <unistd.h>


#include <nlohmann/json.hpp>

#include "core/logging.h"
#include "core/secret_file.h"
#include "daemon/webhook_sender.h"

namespace alignwatch::daemon {

namespace {

spdlog::level::level_enum log_level_for(std::string_view priority) {
  if (priority == "emergency" || priority == "alert" || priority == "critical") {
    return spdlog::level::critical;
  }
  if (priority == "error") return spdlog::level::err;
  if (priority == "warning") return spdlog::level::warn;
  if (priority == "debug") return spdlog::level::debug;
  return spdlog::level::info;
}

}  // namespace

Result<std::optional<ResolvedWebhook>> resolve_webhook(const config::AlertsConfig& config) {
  if (config.webhook.url.empty()) return std::optional<ResolvedWebhook>();
  ResolvedWebhook webhook;
  AW_ASSIGN_OR_RETURN(webhook.target, parse_webhook_url(config.webhook.url));
  if (!config.webhook.secret_file.empty()) {
    AW_ASSIGN_OR_RETURN(webhook.secret,
                        read_secret_file(config.webhook.secret_file, "alerts.webhook.secret_file"));
  }
  return std::optional<ResolvedWebhook>(std::move(webhook));
}

Status check_alert_outputs(const config::AlertsConfig& config) {
  auto webhook = resolve_webhook(config);
  return webhook ? Status::ok() : webhook.error();
}

Result<std::unique_ptr<AlertDispatcher>> AlertDispatcher::create(const config::AlertsConfig& config,
                                                                 std::filesystem::path jsonl_path) {
  std::unique_ptr<AlertDispatcher> dispatcher(new AlertDispatcher());
  dispatcher->jsonl_path_ = std::move(jsonl_path);
  AW_ASSIGN_OR_RETURN(auto webhook, resolve_webhook(config));
  if (webhook) {
    dispatcher->webhook_ =
        std::make_unique<WebhookSender>(webhook->target, config.webhook, std::move(webhook->secret));
  }
  return dispatcher;
}

AlertDispatcher::~AlertDispatcher() = default;

void AlertDispatcher::dispatch(const std::string& alert_id, const std::string& alert_json) {
  auto log = get_logger("aw.alert");
  auto json = nlohmann::ordered_json::parse(alert_json, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return;  // the store only holds objects; nothing to send otherwise
  json["id"] = alert_id;
  const std::string line = json.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  {
    std::lock_guard lock(jsonl_mutex_);
    int fd = ::open(jsonl_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (fd >= 0) {
      std::string with_newline = line + "\n";
      if (::write(fd, with_newline.data(), with_newline.size()) != static_cast<ssize_t>(with_newline.size())) {
        log->warn("alert_jsonl_failed path={} id={}", jsonl_path_.string(), alert_id);
      }
      ::close(fd);
    } else {
      log->warn("alert_jsonl_failed path={} id={}", jsonl_path_.string(), alert_id);
    }
  }
  const std::string priority = json.value("priority", "informational");
  log->log(log_level_for(priority), "alert id={} rule={} priority={} artifact={} name=\"{}\" message=\"{}\"",
           alert_id, json.value("rule", ""), priority, json.value("artifact_sha256", ""),
           json.value("name", ""), json.value("message", ""));
  if (webhook_) webhook_->enqueue(line);
}

uint64_t AlertDispatcher::webhook_dropped() const { return webhook_ ? webhook_->dropped() : 0; }
uint64_t AlertDispatcher::webhook_delivered() const { return webhook_ ? webhook_->delivered() : 0; }

}  // namespace alignwatch::daemon
