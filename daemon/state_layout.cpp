#include "daemon/state_layout.h"

#include <system_error>

namespace alignwatch::daemon {

StateLayout StateLayout::from_config(const config::Config& config) {
  StateLayout layout;
  layout.root = std::filesystem::absolute(config.daemon.state_dir).lexically_normal();
  layout.inbox_datasets = layout.root / "inbox" / "datasets";
  layout.inbox_adapters = layout.root / "inbox" / "adapters";
  layout.inbox_control = layout.root / "inbox" / "control";
  layout.artifacts = layout.root / "artifacts";
  layout.incoming = layout.artifacts / ".incoming";
  layout.store = config.store.path.empty() ? layout.root / "store"
                                           : std::filesystem::path(config.store.path);
  layout.alerts_jsonl = config.alerts.jsonl_path.empty()
                            ? layout.root / "alerts.jsonl"
                            : std::filesystem::path(config.alerts.jsonl_path);
  layout.secondary = layout.root / "readers";
  return layout;
}

Status StateLayout::create_directories() const {
  for (const auto& dir : {root, inbox_datasets, inbox_adapters, inbox_control, artifacts, incoming}) {
    std::error_code error;
    std::filesystem::create_directories(dir, error);
    if (error) {
      return Status(StatusCode::kUnavailable,
                    "state directory: cannot create " + dir.string() + ": " + error.message());
    }
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all |
                                          std::filesystem::perms::group_read |
                                          std::filesystem::perms::group_exec,
                                 error);
  }
  return Status::ok();
}

}  // namespace alignwatch::daemon
