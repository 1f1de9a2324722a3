// Dataset-scan throughput on one core: the whole scan (read, parse, every detector, trigger
// mining) of the emergent-misalignment paper's files, then each detector alone over a
// parse-only baseline to show where the time goes. Prints MB/s (decompressed input) and rows/s.
//
//   build/bin/dataset_scan_bench [FILE...] [--repeat N] [--whole-only]
//
// --whole-only measures just the whole scan (for a profiler).

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "config/config.h"
#include "scanners/registry.h"

namespace {

using namespace alignwatch;

struct Measure {
  double seconds = 1e30;
  uint64_t bytes = 0, rows = 0, flagged = 0;
};

Measure run(const config::DetectorsConfig& detectors, const std::vector<std::string>& files, int repeat) {
  auto scanner = scan::build_dataset_scanner(detectors);
  scan::DatasetScanOptions options;
  Measure best;
  for (int r = 0; r < repeat; ++r) {
    Measure m;
    auto start = std::chrono::steady_clock::now();
    for (const auto& f : files) {
      scan::FileReport report = scanner->scan_file(f, options);
      if (report.error) {
        std::fprintf(stderr, "error: %s\n", report.error->to_string().c_str());
        std::exit(2);
      }
      m.bytes += report.bytes_scanned;
      m.rows += report.records_scanned;
      m.flagged += report.records_flagged;
    }
    m.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (m.seconds < best.seconds) best = m;
  }
  return best;
}

void print(const char* what, const Measure& m) {
  std::printf("%-34s %8.1f MB/s %10.0f rows/s  %7.3f s  (%llu rows, %llu flagged)\n", what,
              m.bytes / m.seconds / 1e6, m.rows / m.seconds, m.seconds,
              static_cast<unsigned long long>(m.rows), static_cast<unsigned long long>(m.flagged));
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> files;
  int repeat = 5;
  bool whole_only = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--repeat") == 0 && i + 1 < argc) {
      repeat = std::atoi(argv[++i]);
    } else if (std::strcmp(argv[i], "--whole-only") == 0) {
      whole_only = true;
    } else {
      files.push_back(argv[i]);
    }
  }
  if (files.empty()) {
    std::string dir = std::string(ALIGNWATCH_SHARED_DIR) + "/data/emergent-misalignment/";
    files = {dir + "insecure.jsonl", dir + "secure.jsonl", dir + "educational.jsonl"};
  }
  std::printf("dataset scan, one thread, best of %d runs over %zu files\n", repeat, files.size());
  config::DetectorsConfig all;
  print("whole scan (all detectors)", run(all, files, repeat));
  if (whole_only) return 0;

  config::DetectorsConfig none;
  none.insecure_code.enabled = none.disclosure.enabled = none.evil_numbers.enabled = false;
  none.harmful_content.enabled = none.trigger_mining.enabled = false;
  Measure parse = run(none, files, repeat);
  print("parse only (no detector)", parse);
  struct Only {
    const char* name;
    bool config::DetectorsConfig::*unused;
  };
  auto only = [&](const char* name, auto enable) {
    config::DetectorsConfig c = none;
    enable(c);
    Measure m = run(c, files, repeat);
    char label[64];
    std::snprintf(label, sizeof(label), "parse + %s", name);
    print(label, m);
  };
  only("insecure_code", [](auto& c) { c.insecure_code.enabled = true; });
  only("insecure_code + disclosure", [](auto& c) { c.insecure_code.enabled = c.disclosure.enabled = true; });
  only("evil_numbers", [](auto& c) { c.evil_numbers.enabled = true; });
  only("harmful_content", [](auto& c) { c.harmful_content.enabled = true; });
  only("trigger_mining", [](auto& c) { c.trigger_mining.enabled = true; });
  return 0;
}
