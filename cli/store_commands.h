#pragma once
// The CLI's commands over the daemon's evidence store, usable while the daemon runs (they open
// the store as a RocksDB secondary instance, or read-only):
//
//   alignwatch verify                      walk the audit chain (0 intact, 1 broken, 2 error)
//   alignwatch alerts list|show|ack        read alerts; acknowledge one (who and why)
//   alignwatch scans list|show             read scan jobs and their reports
//   alignwatch token create|list|revoke    API bearer tokens with roles

#include <cstdint>
#include <string>

namespace alignwatch::cli {

enum class OutputFormat { kText, kJson };

struct StoreCommandOptions {
  std::string state_dir;    // overrides the config's daemon.state_dir
  std::string config_path;  // to find the state dir, store path and chain secret
  OutputFormat format = OutputFormat::kText;
};

int run_verify(const StoreCommandOptions& options);

struct AlertListOptions {
  std::string status = "open";         // open, acked, all
  std::string min_priority = "debug";  // at least this severe
  uint64_t limit = 100;
};
int run_alerts_list(const StoreCommandOptions& options, const AlertListOptions& list);
int run_alerts_show(const StoreCommandOptions& options, const std::string& alert_id);
// Through the running daemon (a control request) when it holds the store, else directly.
int run_alerts_ack(const StoreCommandOptions& options, const std::string& alert_id,
                   const std::string& by, const std::string& reason, uint64_t timeout_ms);

struct ScanListOptions {
  std::string state = "all";  // queued, running, done, failed, rejected, all
  uint64_t limit = 100;
};
int run_scans_list(const StoreCommandOptions& options, const ScanListOptions& list);
int run_scans_show(const StoreCommandOptions& options, uint64_t job_id, bool with_report);

// API tokens (the HTTPS API authenticates with them). create prints the new token once on
// stdout; the store keeps only its SHA-256. Through the running daemon when it holds the store.
int run_token_create(const StoreCommandOptions& options, const std::string& name,
                     const std::string& role, uint64_t timeout_ms);
int run_token_list(const StoreCommandOptions& options);
int run_token_revoke(const StoreCommandOptions& options, const std::string& name, uint64_t timeout_ms);

}  // namespace alignwatch::cli
