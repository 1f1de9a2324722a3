#pragma once
// Watches the inboxes with inotify and reports complete entries: a file closed after writing or
// renamed into an inbox, an adapter directory once its manifest.json or .ready appears, a
// control request. A periodic sweep of every inbox catches entries that arrived while the
// daemon was down or that inotify dropped (queue overflow).

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <string>

#include "core/status.h"
#include "daemon/intake.h"
#include "daemon/state_layout.h"

namespace alignwatch::daemon {

enum class InboxKind { kDatasets, kAdapters, kControl };

class InboxWatcher {
 public:
  using Handler = std::function<void(InboxKind, const std::string& name)>;
  using Tick = std::function<void()>;

  InboxWatcher(StateLayout layout, Handler handler, Tick tick,
               std::chrono::milliseconds sweep_period);
  ~InboxWatcher();
  InboxWatcher(const InboxWatcher&) = delete;
  InboxWatcher& operator=(const InboxWatcher&) = delete;

  // Sets up the watches; fails when inotify cannot be used.
  Status start();
  // Runs until stop(): reports entries to the handler, calls `tick` at least twice a second.
  void run();
  void stop() { stopping_ = true; }
  // Reports every entry present now (start-up and periodic sweep).
  void sweep();

 private:
  void watch_adapter_directory(const std::string& name);

  StateLayout layout_;
  Handler handler_;
  Tick tick_;
  std::chrono::milliseconds sweep_period_;
  int inotify_fd_ = -1;
  int datasets_wd_ = -1, adapters_wd_ = -1, control_wd_ = -1;
  std::map<int, std::string> adapter_dirs_;  // watch descriptor -> directory name
  std::atomic<bool> stopping_{false};
};

}  // namespace alignwatch::daemon
