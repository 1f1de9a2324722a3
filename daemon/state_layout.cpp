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
  namespace fs = std::filesystem;
  // Pipelines write into the inboxes as members of the daemon's group; the rest is the daemon's.
  // Existing directories keep the modes their owner (tmpfiles.d, an admin) gave them.
  const fs::perms private_dir = fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec;
  const fs::perms inbox_dir = fs::perms::owner_all | fs::perms::group_all;
  const std::pair<fs::path, fs::perms> dirs[] = {
      {root, private_dir},          {root / "inbox", inbox_dir}, {inbox_datasets, inbox_dir},
      {inbox_adapters, inbox_dir},  {inbox_control, inbox_dir},  {artifacts, private_dir},
      {incoming, private_dir},
  };
  for (const auto& [dir, mode] : dirs) {
    std::error_code error;
    if (fs::is_directory(dir, error)) continue;
    fs::create_directories(dir, error);
    if (error) {
      return Status(StatusCode::kUnavailable,
                    "state directory: cannot create " + dir.string() + ": " + error.message());
    }
    fs::permissions(dir, mode, error);
  }
  return Status::ok();
}

}  // namespace alignwatch::daemon
