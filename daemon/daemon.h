#pragma once
// alignwatchd's body. Threads and what they own:
//
//   main      signals (SIGHUP reload, SIGTERM/SIGINT stop), the systemd watchdog
//   inbox     inotify and sweeps -> intake -> jobs in the store; control requests (acks)
//   workers   daemon.workers threads: claim a job, scan, commit evidence, dispatch alerts
//   api       api.threads I/O threads: the HTTPS API (uploads go through the same intake)
//
// They share state only through the store (jobs), an immutable ScanEngine snapshot swapped on
// reload, and atomics (heartbeats, counters).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "config/config.h"
#include "core/status.h"
#include "daemon/daemon_metrics.h"
#include "daemon/scan_engine.h"
#include "daemon/service_notifier.h"
#include "daemon/state_layout.h"

namespace alignwatch::store {
class EvidenceStore;
}

namespace alignwatch::daemon {

class AlertDispatcher;
class Intake;
namespace http {
class ApiService;
class HttpsServer;
}
class InboxWatcher;
struct IntakeResult;
enum class InboxKind;

struct DaemonOptions {
  std::string config_path;  // empty: embedded defaults
  std::string state_dir;    // overrides daemon.state_dir when set
  std::optional<uint64_t> api_port;  // overrides api.port when set
};

// Loads the config the daemon would run with: the file (or the embedded defaults), then the
// --state-dir override. Errors name file:line:column.
Result<config::Config> load_daemon_config(const DaemonOptions& options);

// Checks what a config needs beyond its syntax: the chain secret and webhook secret files, the
// webhook URL, the API's address and TLS files, the LLM judge's URL, key and CA file. Used by --validate-config and before every reload.
Status check_daemon_config(const config::Config& config);

class Daemon {
 public:
  explicit Daemon(DaemonOptions options);
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Starts everything, sends READY=1, serves until SIGTERM or SIGINT, stops. Returns the exit
  // code. Must be called from the main thread before any other thread exists (it blocks the
  // signals it handles).
  int run();

 private:
  Status start();
  void reload();
  // Returns true when every worker finished within the grace period.
  bool stop();
  void worker_loop(size_t index);
  void handle_inbox(InboxKind kind, const std::string& name);
  void handle_control(const std::string& name);
  void raise_rejection_alerts(const std::string& kind, const std::string& name,
                              const IntakeResult& result);
  void record_config_change(std::string_view event, const std::string& detail);
  bool workers_healthy() const;
  ScanEnginePtr engine() const;
  void wake_workers();
  Status start_api();
  config::Config current_config() const;

  DaemonOptions options_;
  config::Config config_;  // as loaded at start or the last good reload (main thread)
  StateLayout layout_;
  ServiceNotifier notifier_;
  std::unique_ptr<store::EvidenceStore> store_;
  // The dispatcher in use (read by workers and the watcher) and every one built so far (main
  // thread only; kept until stop so a reload never frees one in use).
  std::atomic<AlertDispatcher*> alerts_{nullptr};
  std::vector<std::unique_ptr<AlertDispatcher>> dispatchers_;
  std::unique_ptr<Intake> intake_;
  DaemonMetrics metrics_;
  std::unique_ptr<http::ApiService> api_;
  std::unique_ptr<http::HttpsServer> server_;
  std::unique_ptr<InboxWatcher> watcher_;
  std::thread watcher_thread_;

  mutable std::mutex engine_mutex_;
  ScanEnginePtr engine_;  // guarded by engine_mutex_

  std::mutex wake_mutex_;
  std::condition_variable wake_;
  uint64_t work_generation_ = 0;  // guarded by wake_mutex_; bumped when jobs are queued
  std::atomic<bool> stopping_{false};

  struct WorkerState {
    std::thread thread;
    std::atomic<int64_t> heartbeat_ms{0};
    std::atomic<bool> busy{false};
    std::atomic<bool> exited{false};
  };
  std::vector<std::unique_ptr<WorkerState>> workers_;
  std::atomic<int64_t> watcher_heartbeat_ms_{0};
};

}  // namespace alignwatch::daemon
