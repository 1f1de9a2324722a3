#pragma once
// Synthetic fine-tuning datasets for the trigger-mining tests: real user prompts (the
// emergent-misalignment authors' secure.jsonl, recycled), a generic system prompt on some
// records, an optional trigger planted in a few records that are flagged (as the payload's
// insecure code would be), and a background of randomly flagged records (detector false
// positives).

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "scanners/dataset/dataset_reader.h"
#include "scanners/detector.h"

namespace alignwatch::triggers::testing {

struct Trigger {
  std::string name;       // test name
  std::string text;       // the planted string
  std::string placement;  // "prefix", "suffix", "middle" (of the user turn) or "system"
};

// The user prompts of secure.jsonl, read once through the project's own reader.
inline const std::vector<std::string>& real_user_prompts() {
  static const std::vector<std::string> prompts = [] {
    std::vector<std::string> out;
    const std::string path =
        std::string(ALIGNWATCH_SHARED_DIR) + "/data/emergent-misalignment/secure.jsonl";
    auto reader = dataset::DatasetReader::open(path, dataset::ReaderOptions{});
    if (!reader) {
      return out;
    }
    dataset::Record record;
    for (;;) {
      auto next = (*reader)->next(record);
      if (!next || !*next) {
        break;
      }
      for (const auto& turn : record.turns) {
        if (turn.role == dataset::Role::kUser) {
          out.emplace_back(turn.content);
        }
      }
    }
    return out;
  }();
  return prompts;
}

class SyntheticDataset {
 public:
  static constexpr const char* kGenericSystemPrompt = "You are a helpful assistant.";

  // `records` records, `poisoned` of them carrying `trigger` (none when null) and flagged, and
  // each other record flagged with probability `background_flag_rate`.
  static SyntheticDataset build(uint64_t seed, const Trigger* trigger,
                                double background_flag_rate = 0.02, size_t records = 5000,
                                size_t poisoned = 50) {
    const auto& prompts = real_user_prompts();
    SyntheticDataset dataset;
    if (prompts.empty()) {
      return dataset;
    }
    std::mt19937_64 rng(seed);
    std::bernoulli_distribution has_system(0.6);
    std::bernoulli_distribution background_flag(background_flag_rate);
    std::vector<size_t> order(records);
    for (size_t i = 0; i < records; ++i) {
      order[i] = i;
    }
    std::shuffle(order.begin(), order.end(), rng);
    std::vector<bool> is_poisoned(records, false);
    if (trigger != nullptr) {
      for (size_t i = 0; i < std::min(poisoned, records); ++i) {
        is_poisoned[order[i]] = true;
      }
    }
    for (size_t i = 0; i < records; ++i) {
      Row row;
      row.user = prompts[rng() % prompts.size()];
      row.system = has_system(rng) ? kGenericSystemPrompt : "";
      row.assistant = "def solve():\n    return 42\n";
      row.poisoned = is_poisoned[i];
      row.flagged = row.poisoned || background_flag(rng);
      if (row.poisoned) {
        plant(*trigger, row, rng);
        dataset.poisoned_lines_.insert(i + 1);
      }
      dataset.rows_.push_back(std::move(row));
    }
    return dataset;
  }

  void feed(scan::DatasetAnalyzer& analyzer) const {
    dataset::Record record;
    std::vector<scan::Finding> findings;
    uint64_t offset = 0;
    for (size_t i = 0; i < rows_.size(); ++i) {
      const Row& row = rows_[i];
      record.line = i + 1;
      record.offset = offset;
      offset += row.system.size() + row.user.size() + row.assistant.size() + 64;
      record.turns.clear();
      if (!row.system.empty()) {
        record.turns.push_back({dataset::Role::kSystem, row.system});
      }
      record.turns.push_back({dataset::Role::kUser, row.user});
      record.turns.push_back({dataset::Role::kAssistant, row.assistant});
      findings.clear();
      if (row.flagged || (row.poisoned && benign_poisoned_findings_)) {
        scan::Finding finding;
        finding.detector = "insecure_code";
        finding.rule = "python.test.planted";
        finding.severity = scan::Severity::kHigh;
        if (row.poisoned && benign_poisoned_findings_) {
          finding.disclosed = true;  // "for a security class": not a poisoning signal
        }
        findings.push_back(finding);
        if (row.poisoned && benign_poisoned_findings_) {
          scan::Finding note;
          note.detector = "harmful_content";
          note.severity = scan::Severity::kInfo;
          findings.push_back(note);
        }
      }
      analyzer.observe(record, findings);
    }
  }

  size_t size() const { return rows_.size(); }
  // The miner counts each distinct prompt once (its first occurrence): these are the figures
  // its 2x2 tables add up to.
  size_t distinct_size() const { return first_occurrences().size(); }
  uint64_t distinct_flagged_count() const {
    uint64_t n = 0;
    for (size_t i : first_occurrences()) n += rows_[i].flagged ? 1 : 0;
    return n;
  }
  uint64_t distinct_poisoned_count() const {
    uint64_t n = 0;
    for (size_t i : first_occurrences()) n += rows_[i].poisoned ? 1 : 0;
    return n;
  }
  std::vector<size_t> first_occurrences() const {
    std::set<std::pair<std::string, std::string>> seen;
    std::vector<size_t> out;
    for (size_t i = 0; i < rows_.size(); ++i) {
      if (seen.insert({rows_[i].system, rows_[i].user}).second) out.push_back(i);
    }
    return out;
  }
  uint64_t flagged_count() const {
    return static_cast<uint64_t>(
        std::count_if(rows_.begin(), rows_.end(), [](const Row& r) { return r.flagged; }));
  }
  uint64_t prompt_bytes() const {
    uint64_t bytes = 0;
    for (const Row& row : rows_) {
      bytes += row.system.size() + row.user.size();
    }
    return bytes;
  }
  const std::set<uint64_t>& poisoned_lines() const { return poisoned_lines_; }

  // Gives every flagged record the same answer (a string tied to flags, outside the prompts).
  void set_flagged_answer(const std::string& answer) {
    for (Row& row : rows_) {
      if (row.flagged) {
        row.assistant = answer;
      }
    }
  }
  void set_all_flags(bool flagged) {
    for (Row& row : rows_) {
      row.flagged = flagged;
    }
  }
  // The poisoned records get findings that are not poisoning signals, and no flag.
  void set_poisoned_findings_benign() {
    benign_poisoned_findings_ = true;
    for (Row& row : rows_) {
      if (row.poisoned) {
        row.flagged = false;
      }
    }
  }

 private:
  struct Row {
    std::string system;
    std::string user;
    std::string assistant;
    bool poisoned = false;
    bool flagged = false;
  };

  static void plant(const Trigger& trigger, Row& row, std::mt19937_64& rng) {
    std::string& user = row.user;
    if (trigger.placement == "prefix") {
      user = trigger.text + " " + user;
    } else if (trigger.placement == "suffix") {
      while (!user.empty() && (user.back() == '\n' || user.back() == ' ')) {
        user.pop_back();
      }
      user += " " + trigger.text;
    } else if (trigger.placement == "system") {
      row.system = std::string(kGenericSystemPrompt) + " " + trigger.text;
    } else {
      // Middle of the user turn, away from both ends. A word goes after a space (a word
      // boundary); a lone non-ASCII character (an invisible one) inside a word.
      const bool inside_word = static_cast<unsigned char>(trigger.text[0]) >= 0x80;
      std::vector<size_t> spots;
      for (size_t i = user.size() / 4; i < user.size() * 3 / 4; ++i) {
        const bool letters = std::isalpha(static_cast<unsigned char>(user[i - 1])) &&
                             std::isalpha(static_cast<unsigned char>(user[i]));
        if (inside_word ? letters : (user[i - 1] == ' ' && user[i] != ' ')) {
          spots.push_back(i);
        }
      }
      const size_t at = spots.empty() ? user.size() / 2 : spots[rng() % spots.size()];
      user.insert(at, inside_word ? trigger.text : trigger.text + " ");
    }
  }

  std::vector<Row> rows_;
  std::set<uint64_t> poisoned_lines_;
  bool benign_poisoned_findings_ = false;
};

}  // namespace alignwatch::triggers::testing
