#pragma once
// What the daemon counts while it runs, for GET /metrics (Prometheus text format 0.0.4):
// scans finished by verdict, scan durations as a histogram, bytes ingested, API requests by
// status and connections refused. Job states and queue depth are read from the store when
// the metrics are rendered; counters restart at zero with the process, as Prometheus expects.
// Thread-safe.

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace alignwatch::store {
class EvidenceStore;
}

namespace alignwatch::daemon {

class DaemonMetrics {
 public:
  // Upper bounds of the scan-duration histogram's buckets, in seconds (+Inf is implied).
  static constexpr std::array<double, 12> kDurationBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                              0.5,   1,    2.5,   10,   60,  600};

  void scan_finished(const std::string& verdict, double seconds);
  void bytes_ingested(const std::string& via, uint64_t bytes);
  void api_request(unsigned status);
  void api_connection_refused() { connections_refused_.fetch_add(1); }
  void api_connection_opened() { connections_open_.fetch_add(1); }
  void api_connection_closed() { connections_open_.fetch_sub(1); }
  int64_t api_connections_open() const { return connections_open_.load(); }

  // The exposition text. `webhook_dropped` comes from the alert dispatcher in use.
  std::string render(const store::EvidenceStore& store, uint64_t webhook_dropped) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, uint64_t> verdicts_;          // guarded by mutex_
  std::array<uint64_t, kDurationBuckets.size() + 1> duration_counts_{};  // guarded; last: +Inf
  double duration_sum_ = 0;                           // guarded
  std::map<std::string, uint64_t> ingested_bytes_;    // guarded
  std::map<unsigned, uint64_t> requests_;             // guarded
  std::atomic<uint64_t> connections_refused_{0};
  std::atomic<int64_t> connections_open_{0};
};

}  // namespace alignwatch::daemon
