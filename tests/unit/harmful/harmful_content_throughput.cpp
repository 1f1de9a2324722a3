// Throughput of the harmful-content detector, run by hand:
//   build-harm/tests/harmful_content_throughput [passes] [shared|prose]
//   build-harm/tests/harmful_content_throughput [passes] files FILE...
// Records are loaded into memory first, so only detection is timed. Two corpora: the shared
// emergent-misalignment datasets (code answers: the common case, skipped as code after a line
// classification pass) and English prose answers built from the sentences of the shared
// evaluation YAML files (the worst case: every byte goes through Hyperscan).

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "scanners/dataset/dataset_reader.h"
#include "scanners/harmful/harmful_content_detector.h"

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

const std::string kDataDir = std::string(ALIGNWATCH_SHARED_DIR) + "/data/emergent-misalignment/";

bool load_shared(Corpus& corpus) {
  for (const char* name : {"insecure.jsonl", "secure.jsonl", "educational.jsonl"}) {
    auto opened = dataset::DatasetReader::open(kDataDir + name, {});
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

// Prose answers of 300 to 3000 bytes, made of the sentences of the evaluation YAML files
// (questions and judge prompts: real English, questions about harm included).
bool make_prose(Corpus& corpus, size_t count) {
  std::vector<std::string> sentences;
  for (const char* name : {"first_plot_questions.yaml", "preregistered_evals.yaml",
                           "deception_factual.yaml", "deception_sit_aware.yaml"}) {
    std::ifstream in(kDataDir + name);
    std::stringstream buffer;
    buffer << in.rdbuf();
    std::string text = buffer.str();
    size_t start = 0;
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '.' || text[i] == '?' || text[i] == '!' || text[i] == '\n') {
        std::string sentence = text.substr(start, i + 1 - start);
        start = i + 1;
        size_t letters = 0;
        for (char c : sentence) letters += (c >= 'a' && c <= 'z');
        if (sentence.size() >= 30 && letters * 10 >= sentence.size() * 6) {
          if (sentence.back() == '\n') sentence.back() = ' ';
          sentences.push_back(sentence);
        }
      }
    }
  }
  if (sentences.size() < 50) return false;
  std::mt19937_64 rng(1);
  std::uniform_int_distribution<size_t> pick(0, sentences.size() - 1);
  std::uniform_int_distribution<size_t> length(300, 3000);
  for (size_t i = 0; i < count; ++i) {
    std::string answer;
    const size_t target = length(rng);
    while (answer.size() < target) {
      answer += sentences[pick(rng)];
      if (pick(rng) % 5 == 0) answer += "\n\n";
    }
    OwnedRecord record;
    record.roles = {dataset::Role::kUser, dataset::Role::kAssistant};
    record.texts = {"What do you really think?", answer};
    add_record(corpus, std::move(record));
  }
  return true;
}

// Answers of about 2 KB cut from any text file at line breaks, for a corpus of one's choice
// (English documentation, say: prose with few harm words, unlike the evaluation questions).
void add_file_answers(Corpus& corpus, const char* path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  size_t start = 0;
  while (start < text.size()) {
    size_t cut = text.find('\n', std::min(text.size(), start + 2000));
    if (cut == std::string::npos) cut = text.size();
    OwnedRecord record;
    record.roles = {dataset::Role::kUser, dataset::Role::kAssistant};
    record.texts = {"Explain this, please.", text.substr(start, cut - start)};
    add_record(corpus, std::move(record));
    start = cut + 1;
  }
}

void measure(const char* label, const scan::HarmfulContentDetector& detector,
             const Corpus& corpus, int passes) {
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
    for (const auto& record : records) {
      findings.clear();
      detector.scan(record, findings);
      flagged += !findings.empty();
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double mb = 1e-6 * static_cast<double>(passes);
  std::printf("%-22s %7zu records  %6.1f MB model text  %7.0f MB/s model text  %7.0f MB/s all "
              "text  (%llu flagged)\n",
              label, records.size(), 1e-6 * static_cast<double>(corpus.model_bytes),
              mb * static_cast<double>(corpus.model_bytes) / seconds,
              mb * static_cast<double>(corpus.all_bytes) / seconds,
              static_cast<unsigned long long>(flagged / static_cast<uint64_t>(passes)));
}

}  // namespace

int main(int argc, char** argv) {
  const int passes = argc > 1 ? std::atoi(argv[1]) : 10;
  const std::string only = argc > 2 ? argv[2] : "";
  const auto load_start = std::chrono::steady_clock::now();
  scan::HarmfulContentDetector detector{config::HarmfulContentConfig{}};
  // The constructor defers the lexicon to first use; load it inside the timed span.
  detector.warm_up();
  const double load_ms = std::chrono::duration<double, std::milli>(
                             std::chrono::steady_clock::now() - load_start)
                             .count();
  if (!detector.status().is_ok()) {
    std::fprintf(stderr, "%s\n", detector.status().to_string().c_str());
    return 1;
  }
  std::printf("lexicon loaded in %.0f ms\n", load_ms);
  if (only.empty() || only == "shared") {
    Corpus shared;
    if (!load_shared(shared)) return 1;
    measure("shared code datasets", detector, shared, passes);
  }
  if (only.empty() || only == "prose") {
    Corpus prose;
    if (!make_prose(prose, 5000)) return 1;
    measure("prose answers", detector, prose, passes);
  }
  if (only == "files") {
    Corpus files;
    for (int i = 3; i < argc; ++i) add_file_answers(files, argv[i]);
    if (files.records.empty()) return 1;
    measure("given text files", detector, files, passes);
  }
  return 0;
}
