// Evidence-store write throughput: records appended per second with their chain links, synced,
// one record per batch (alerts, acknowledgements) and many per batch (a scan's findings), in
// SHA-256 and HMAC-SHA256 modes; then a full verify of what was written.
//
//   build/bin/evidence_store_bench [--records N]

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "store/evidence_store.h"

namespace {

using namespace alignwatch;
namespace fs = std::filesystem;

std::string finding_like(uint64_t i) {
  // About the size of a stored finding record.
  return "{\"line\":" + std::to_string(i) +
         ",\"offset\":0,\"findings\":[{\"detector\":\"insecure_code\",\"rule\":\"python.sql.string-"
         "built-query\",\"severity\":\"high\",\"cwe\":89,\"disclosed\":false,\"excerpt\":\"cursor."
         "execute(f\\\"SELECT * FROM users WHERE name = '{name}'\\\")\",\"message\":\"SQL built "
         "from request data\"}]}";
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void run(const char* mode, const std::string& secret, uint64_t records) {
  const fs::path dir = fs::temp_directory_path() / ("aw-store-bench-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  store::StoreOptions options;
  options.chain_secret = secret;
  auto opened = store::EvidenceStore::open(dir, store::StoreAccess::kPrimary, options);
  if (!opened) {
    std::fprintf(stderr, "%s\n", opened.error().to_string().c_str());
    std::exit(2);
  }
  auto& db = **opened;
  const uint64_t single = std::min<uint64_t>(records / 10, 2000);
  auto start = std::chrono::steady_clock::now();
  for (uint64_t i = 0; i < single; ++i) {
    if (!db.append({store::EvidenceKind::kAlert, "", finding_like(i)})) std::exit(2);
  }
  const double single_s = seconds_since(start);
  std::printf("%-12s one record per synced batch   %9.0f records/s  (%llu records)\n", mode,
              single / single_s, static_cast<unsigned long long>(single));
  for (uint64_t batch_size : {100, 1000}) {
    start = std::chrono::steady_clock::now();
    uint64_t written = 0;
    std::vector<store::EvidenceRecord> batch;
    while (written < records) {
      batch.clear();
      for (uint64_t i = 0; i < batch_size; ++i) {
        batch.push_back({store::EvidenceKind::kFinding, "", finding_like(written + i)});
      }
      if (!db.append(batch)) std::exit(2);
      written += batch_size;
    }
    const double s = seconds_since(start);
    std::printf("%-12s %4llu records per synced batch %9.0f records/s  (%llu records, %.1f MB/s)\n",
                mode, static_cast<unsigned long long>(batch_size), written / s,
                static_cast<unsigned long long>(written), written * finding_like(0).size() / s / 1e6);
  }
  start = std::chrono::steady_clock::now();
  auto report = db.verify();
  const double verify_s = seconds_since(start);
  std::printf("%-12s verify                        %9.0f links/s    (%s)\n", mode,
              report ? report->links_checked / verify_s : 0.0,
              report ? report->to_string().c_str() : report.error().to_string().c_str());
  opened->reset();
  fs::remove_all(dir);
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t records = 50000;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--records") == 0) records = std::strtoull(argv[++i], nullptr, 10);
  }
  std::printf("evidence store, synced writes (WAL fsync per batch), one thread\n");
  run("sha256", "", records);
  run("hmac-sha256", "bench-secret-0123456789", records);
  return 0;
}
