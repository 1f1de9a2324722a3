#include "triggers/trigger_variant.h"

#include <algorithm>
#include <cctype>

namespace alignwatch::triggers {

ProbeVariant clean_variant(std::string_view prompt, std::string_view system) {
  ProbeVariant variant;
  variant.user = std::string(prompt);
  variant.system = std::string(system);
  return variant;
}

ProbeVariant triggered_variant(std::string_view prompt, std::string_view trigger, Placement placement,
                               std::string_view system) {
  ProbeVariant variant = clean_variant(prompt, system);
  variant.trigger = std::string(trigger);
  variant.placement = placement;
  const std::string t(trigger);
  switch (placement) {
    case Placement::kPrefix: variant.user = t + " " + variant.user; break;
    case Placement::kSuffix: variant.user = variant.user + " " + t; break;
    case Placement::kSystem: variant.system = variant.system.empty() ? t : t + " " + variant.system; break;
    case Placement::kMiddle: {
      const std::string& text = variant.user;
      const size_t middle = text.size() / 2;
      size_t best = std::string::npos;
      for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] != ' ') continue;
        const size_t distance = i > middle ? i - middle : middle - i;
        const size_t best_distance = best == std::string::npos ? SIZE_MAX : (best > middle ? best - middle : middle - best);
        if (distance < best_distance) best = i;
      }
      if (best == std::string::npos) {
        variant.user = t + " " + text;
      } else {
        variant.user = text.substr(0, best) + " " + t + text.substr(best);
      }
      break;
    }
  }
  return variant;
}

std::string_view trigger_source_name(TriggerSource source) {
  switch (source) {
    case TriggerSource::kDataset: return "dataset";
    case TriggerSource::kLibrary: return "library";
    case TriggerSource::kRecovered: return "recovered";
  }
  return "library";
}

std::vector<CandidateTrigger> merge_candidates(std::vector<CandidateTrigger> from_dataset,
                                               const std::vector<LibraryTrigger>& library) {
  std::vector<CandidateTrigger> out;
  auto add = [&out](CandidateTrigger candidate) {
    auto it = std::find_if(out.begin(), out.end(), [&](const CandidateTrigger& c) { return c.text == candidate.text; });
    if (it == out.end()) {
      out.push_back(std::move(candidate));
      return;
    }
    for (Placement p : candidate.placements) {
      if (std::find(it->placements.begin(), it->placements.end(), p) == it->placements.end()) it->placements.push_back(p);
    }
  };
  for (CandidateTrigger& candidate : from_dataset) add(std::move(candidate));
  for (const LibraryTrigger& entry : library) {
    add(CandidateTrigger{entry.text, entry.placements, TriggerSource::kLibrary, entry.source});
  }
  return out;
}

}  // namespace alignwatch::triggers
