#pragma once
// Where the daemon keeps everything, all under one state directory:
//
//   <state>/inbox/datasets/   pipelines drop datasets here (and NAME.manifest.json sidecars)
//   <state>/inbox/adapters/   adapter directories (with manifest.json or .ready) or tar archives
//   <state>/inbox/control/    requests from the local CLI (alert acknowledgements)
//   <state>/artifacts/        content-addressed copies, named by SHA-256
//   <state>/artifacts/.incoming/  copies being hashed (removed at start-up)
//   <state>/store/            the RocksDB evidence store
//   <state>/alerts.jsonl      every alert, one JSON object per line

#include <filesystem>

#include "config/config.h"
#include "core/status.h"

namespace alignwatch::daemon {

struct StateLayout {
  std::filesystem::path root;
  std::filesystem::path inbox_datasets;
  std::filesystem::path inbox_adapters;
  std::filesystem::path inbox_control;
  std::filesystem::path artifacts;
  std::filesystem::path incoming;
  std::filesystem::path store;
  std::filesystem::path alerts_jsonl;
  std::filesystem::path secondary;  // a CLI's secondary-instance files

  // The layout for `config` (empty store/alert paths are derived from daemon.state_dir).
  static StateLayout from_config(const config::Config& config);
  // Creates the directories (mode 0750) that do not exist yet.
  Status create_directories() const;
};

}  // namespace alignwatch::daemon
