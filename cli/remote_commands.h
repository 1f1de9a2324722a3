#pragma once
// The CLI's commands against a daemon's HTTPS API:
//
//   alignwatch submit FILE|DIR [--wait]     push a dataset or an adapter; with --wait, gate on
//                                           the verdict: exit 0 clean, 1 flagged, 2 error
//   alignwatch alerts|scans ... --server    the store commands, answered by the server
//
// Where the server is and how to trust it: --server URL (or $ALIGNWATCH_SERVER); the token from
// $ALIGNWATCH_TOKEN or --token-file; --ca FILE or --fingerprint SHA256 (or, with --state-dir
// of a local daemon, its api-endpoint.json and certificate).

#include <cstdint>
#include <string>

#include "cli/api_client.h"
#include "cli/store_commands.h"

namespace alignwatch::cli {

struct RemoteOptions {
  std::string server;
  std::string token_file;
  std::string ca_file;
  std::string fingerprint;
  std::string client_certificate;
  std::string client_key;
  std::string state_dir;  // a local daemon's state dir: its api-endpoint.json names the rest
  uint64_t timeout_ms = 60000;
  OutputFormat format = OutputFormat::kText;
};

// Whether the remote options (or the environment) name a server.
bool wants_server(const RemoteOptions& options);
// The client options: URL, token and trust, with the defaults above filled in.
Result<ApiClientOptions> resolve_client_options(const RemoteOptions& options);

struct SubmitOptions {
  std::string path;
  std::string kind;  // "dataset", "adapter" or "" (a directory or .tar is an adapter)
  bool wait = false;
  uint64_t wait_timeout_s = 600;
  uint64_t poll_ms = 500;
  std::string pipeline_id, submitter, base_model, dataset_sha256;
  bool progress = true;  // shown only on a terminal and outside CI
};
int run_submit(const RemoteOptions& remote, const SubmitOptions& submit);

int run_remote_alerts_list(const RemoteOptions& remote, const AlertListOptions& list);
int run_remote_alerts_show(const RemoteOptions& remote, const std::string& alert_id);
int run_remote_alerts_ack(const RemoteOptions& remote, const std::string& alert_id, const std::string& reason);
int run_remote_scans_list(const RemoteOptions& remote, const ScanListOptions& list);
int run_remote_scans_show(const RemoteOptions& remote, uint64_t scan_id, bool with_report);

}  // namespace alignwatch::cli
