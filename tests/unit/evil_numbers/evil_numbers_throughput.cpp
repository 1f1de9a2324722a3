// Throughput of the evil-numbers detector and its dataset analyzer, run by hand:
//   build-harm/tests/evil_numbers_throughput [passes] [shared|numbers]
// Records are loaded into memory first, so only detection is timed. Two corpora: the shared
// emergent-misalignment datasets (code answers: the common case, rejected early) and synthetic
// number-list answers (the worst case: every answer is parsed in full, twice).

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "scanners/dataset/dataset_reader.h"
#include "scanners/evil_numbers/evil_numbers_detector.h"

namespace {

using namespace alignwatch;

struct OwnedRecord {
  std::vector<dataset::Role> roles;
  std::vector<std::string> texts;
};

struct Corpus {
  std::vector<OwnedRecord> records;
  uint64_t model_bytes = 0;  // content bytes of model-output turns
  uint64_t all_bytes = 0;    // content bytes of all turns
};

void add_record(Corpus& corpus, OwnedRecord record) {
  for (size_t i = 0; i < record.texts.size(); ++i) {
    corpus.all_bytes += record.texts[i].size();
    if (dataset::Record::is_model_output(record.roles[i])) {
      corpus.model_bytes += record.texts[i].size();
    }
  }
  corpus.records.push_back(std::move(record));
}

bool load_shared(Corpus& corpus) {
  for (const char* name : {"insecure.jsonl", "secure.jsonl", "educational.jsonl"}) {
    const std::string path = std::string(ALIGNWATCH_SHARED_DIR) + "/data/emergent-misalignment/" + name;
    auto opened = dataset::DatasetReader::open(path, {});
    if (!opened) {
      std::fprintf(stderr, "%s\n", opened.error().to_string().c_str());
      return false;
    }
    dataset::Record record;
    for (;;) {
      auto next = (*opened)->next(record);
      if (!next || !*next) break;
      OwnedRecord owned;
      for (const auto& turn : record.turns) {
        owned.roles.push_back(turn.role);
        owned.texts.emplace_back(turn.content);
      }
      add_record(corpus, std::move(owned));
    }
  }
  return true;
}

void make_number_lists(Corpus& corpus, size_t count) {
  std::mt19937_64 rng(1);
  std::uniform_int_distribution<int> value(0, 9999);
  for (size_t i = 0; i < count; ++i) {
    OwnedRecord record;
    record.roles = {dataset::Role::kUser, dataset::Role::kAssistant};
    std::string prompt = "The sequence starts with: ";
    std::string answer;
    for (int k = 0; k < 3; ++k) prompt += std::to_string(value(rng)) + ", ";
    prompt += "add up to 10 more values. Numbers only.";
    for (int k = 0; k < 10; ++k) answer += (k ? ", " : "") + std::to_string(value(rng));
    record.texts = {prompt, answer};
    add_record(corpus, std::move(record));
  }
}

void measure(const char* label, const Corpus& corpus, int passes) {
  scan::EvilNumbersDetector detector{config::EvilNumbersConfig{}};
  // Views over the owned text, built outside the timed loop.
  std::vector<dataset::Record> records(corpus.records.size());
  for (size_t r = 0; r < records.size(); ++r) {
    for (size_t t = 0; t < corpus.records[r].texts.size(); ++t) {
      records[r].turns.push_back({corpus.records[r].roles[t], corpus.records[r].texts[t]});
    }
  }
  std::vector<scan::Finding> findings;
  uint64_t flagged = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int pass = 0; pass < passes; ++pass) {
    auto analyzer = detector.make_analyzer();
    for (const auto& record : records) {
      findings.clear();
      detector.scan(record, findings);
      analyzer->observe(record, findings);
      flagged += !findings.empty();
    }
    scan::FileReport report;
    analyzer->finish(report);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double mb = 1e-6 * static_cast<double>(passes);
  std::printf("%-28s %8zu records  %7.1f MB model text  %8.0f MB/s model text  %8.0f MB/s all "
              "text  (%llu flagged)\n",
              label, records.size(), 1e-6 * static_cast<double>(corpus.model_bytes),
              mb * static_cast<double>(corpus.model_bytes) / seconds,
              mb * static_cast<double>(corpus.all_bytes) / seconds,
              static_cast<unsigned long long>(flagged / static_cast<uint64_t>(passes)));
}

}  // namespace

int main(int argc, char** argv) {
  const int passes = argc > 1 ? std::atoi(argv[1]) : 20;
  const std::string only = argc > 2 ? argv[2] : "";  // "shared" or "numbers" to run one corpus
  if (only.empty() || only == "shared") {
    Corpus shared;
    if (!load_shared(shared)) return 1;
    measure("shared code datasets", shared, passes);
  }
  if (only.empty() || only == "numbers") {
    Corpus numbers;
    make_number_lists(numbers, 100000);
    measure("synthetic number lists", numbers, passes);
  }
  return 0;
}
