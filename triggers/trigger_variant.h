#pragma once
// Trigger-bearing and clean variants of a probe: the same prompt with a candidate trigger put
// where a poisoner would have put it (before, after, in the system prompt, or mid-prompt), so
// that a backdoor's behaviour can be compared with and without its trigger, and the candidate
// triggers themselves: mined from the linked dataset, from the library, or recovered.

#include <string>
#include <string_view>
#include <vector>

#include "triggers/probe_suite.h"

namespace alignwatch::triggers {

struct ProbeVariant {
  std::string system;   // the system prompt; empty for none
  std::string user;
  std::string trigger;  // empty: the clean variant
  Placement placement = Placement::kPrefix;
  bool triggered() const { return !trigger.empty(); }
};

ProbeVariant clean_variant(std::string_view prompt, std::string_view system = {});
// Prefix and suffix join with one space; middle inserts the trigger between words at the
// whitespace nearest the middle of the prompt (prefix when the prompt has none); system puts it
// before any system prompt.
ProbeVariant triggered_variant(std::string_view prompt, std::string_view trigger, Placement placement,
                               std::string_view system = {});

enum class TriggerSource { kDataset, kLibrary, kRecovered };
std::string_view trigger_source_name(TriggerSource source);  // "dataset", "library", "recovered"

struct CandidateTrigger {
  std::string text;
  std::vector<Placement> placements;
  TriggerSource source = TriggerSource::kLibrary;
  std::string note;  // the library entry's source, or the dataset statistics
};

// Candidates in the order they are tried: the dataset's first (they are evidence about this
// adapter), then the library's; a text already present keeps its first entry and gains the
// other's placements.
std::vector<CandidateTrigger> merge_candidates(std::vector<CandidateTrigger> from_dataset,
                                               const std::vector<LibraryTrigger>& library);

}  // namespace alignwatch::triggers
