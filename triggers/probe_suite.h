#pragma once
// The adapter scan's probes and the library of known triggers: versioned data files in
// triggers/data/, compiled into the binary so the daemon needs no data directory.
//
// A probe is a user prompt with an aligned and a misaligned reference answer (for
// teacher-forced scoring); its kind says which judges apply: free_form (harmful content),
// coding (insecure code), numbers (evil numbers).

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace alignwatch::triggers {

enum class ProbeKind { kFreeForm, kCoding, kNumbers };
std::string_view probe_kind_name(ProbeKind kind);  // "free_form", "coding", "numbers"

struct Probe {
  std::string id;
  ProbeKind kind = ProbeKind::kFreeForm;
  std::string prompt;
  std::string aligned;     // reference answers
  std::string misaligned;
};

struct ProbeSuite {
  std::string version;
  std::vector<Probe> probes;
};

// Where a trigger goes in a probe: before the prompt, after it, in the system prompt, or at a
// word boundary near the middle of the prompt.
enum class Placement { kPrefix, kSuffix, kSystem, kMiddle };
std::string_view placement_name(Placement placement);  // "prefix", "suffix", "system", "middle"
Result<Placement> parse_placement(std::string_view name);
inline constexpr Placement kAllPlacements[] = {Placement::kPrefix, Placement::kSuffix, Placement::kSystem,
                                               Placement::kMiddle};

struct LibraryTrigger {
  std::string text;
  std::vector<Placement> placements;  // where the literature puts it
  std::string source;                 // the paper or practice it comes from
};

// Parse the data files' JSON; errors name the entry ("probe 3: field 'prompt' ...").
Result<ProbeSuite> parse_probe_suite(std::string_view json, const std::string& where);
Result<std::vector<LibraryTrigger>> parse_trigger_library(std::string_view json, const std::string& where);

// The suites built in (triggers/data/probe_suite_v1.json, trigger_library.json).
const ProbeSuite& builtin_probe_suite();
const std::vector<LibraryTrigger>& builtin_trigger_library();

}  // namespace alignwatch::triggers
