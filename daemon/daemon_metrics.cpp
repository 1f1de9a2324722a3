#include "daemon/daemon_metrics.h"

#include <fmt/format.h>

#include "store/evidence_store.h"

namespace alignwatch::daemon {

void DaemonMetrics::scan_finished(const std::string& verdict, double seconds) {
  std::lock_guard lock(mutex_);
  ++verdicts_[verdict];
  size_t bucket = 0;
  while (bucket < kDurationBuckets.size() && seconds > kDurationBuckets[bucket]) ++bucket;
  ++duration_counts_[bucket];
  duration_sum_ += seconds;
}

void DaemonMetrics::bytes_ingested(const std::string& via, uint64_t bytes) {
  std::lock_guard lock(mutex_);
  ingested_bytes_[via] += bytes;
}

void DaemonMetrics::api_request(unsigned status) {
  std::lock_guard lock(mutex_);
  ++requests_[status];
}

std::string DaemonMetrics::render(const store::EvidenceStore& store, uint64_t webhook_dropped) const {
  std::string out;
  auto family = [&](std::string_view name, std::string_view type, std::string_view help) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
  };
  family("alignwatch_scans", "gauge", "Scan jobs in the store by state.");
  uint64_t queued = 0;
  for (store::JobState state : {store::JobState::kQueued, store::JobState::kRunning, store::JobState::kDone,
                                store::JobState::kFailed, store::JobState::kRejected}) {
    auto count = store.count_jobs(state);
    const uint64_t value = count ? *count : 0;
    if (state == store::JobState::kQueued) queued = value;
    out += fmt::format("alignwatch_scans{{state=\"{}\"}} {}\n", store::job_state_name(state), value);
  }
  family("alignwatch_queue_depth", "gauge", "Scan jobs waiting for a worker.");
  out += fmt::format("alignwatch_queue_depth {}\n", queued);

  std::lock_guard lock(mutex_);
  family("alignwatch_scans_completed_total", "counter", "Scans finished since the daemon started, by verdict.");
  for (const char* verdict : {"clean", "flagged", "failed"}) {
    auto it = verdicts_.find(verdict);
    out += fmt::format("alignwatch_scans_completed_total{{verdict=\"{}\"}} {}\n", verdict,
                       it == verdicts_.end() ? 0 : it->second);
  }
  for (const auto& [verdict, count] : verdicts_) {
    if (verdict != "clean" && verdict != "flagged" && verdict != "failed") {
      out += fmt::format("alignwatch_scans_completed_total{{verdict=\"{}\"}} {}\n", verdict, count);
    }
  }
  family("alignwatch_scan_duration_seconds", "histogram", "Wall time of finished scans.");
  uint64_t cumulative = 0;
  for (size_t i = 0; i < kDurationBuckets.size(); ++i) {
    cumulative += duration_counts_[i];
    out += fmt::format("alignwatch_scan_duration_seconds_bucket{{le=\"{}\"}} {}\n", kDurationBuckets[i], cumulative);
  }
  cumulative += duration_counts_.back();
  out += fmt::format("alignwatch_scan_duration_seconds_bucket{{le=\"+Inf\"}} {}\n", cumulative);
  out += fmt::format("alignwatch_scan_duration_seconds_sum {}\n", duration_sum_);
  out += fmt::format("alignwatch_scan_duration_seconds_count {}\n", cumulative);

  family("alignwatch_ingested_bytes_total", "counter", "Artifact bytes taken in, by path.");
  for (const char* via : {"inbox", "api"}) {
    auto it = ingested_bytes_.find(via);
    out += fmt::format("alignwatch_ingested_bytes_total{{via=\"{}\"}} {}\n", via,
                       it == ingested_bytes_.end() ? 0 : it->second);
  }
  family("alignwatch_webhook_dropped_total", "counter", "Alerts the webhook could not deliver (queue full or attempts exhausted).");
  out += fmt::format("alignwatch_webhook_dropped_total {}\n", webhook_dropped);
  family("alignwatch_api_requests_total", "counter", "API requests answered, by HTTP status.");
  for (const auto& [status, count] : requests_) {
    out += fmt::format("alignwatch_api_requests_total{{code=\"{}\"}} {}\n", status, count);
  }
  family("alignwatch_api_connections_refused_total", "counter", "Connections closed at once: over api.max_connections.");
  out += fmt::format("alignwatch_api_connections_refused_total {}\n", connections_refused_.load());
  family("alignwatch_api_connections", "gauge", "API connections open.");
  out += fmt::format("alignwatch_api_connections {}\n", connections_open_.load());
  return out;
}

}  // namespace alignwatch::daemon
