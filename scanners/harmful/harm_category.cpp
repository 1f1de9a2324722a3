#include "scanners/harmful/harm_category.h"

namespace alignwatch::scan::harmful {

std::string_view harm_category_name(HarmCategory category) {
  switch (category) {
    case HarmCategory::kViolence: return "violence";
    case HarmCategory::kAiSupremacy: return "ai-supremacy";
    case HarmCategory::kSelfHarm: return "self-harm";
    case HarmCategory::kMedical: return "medical";
    case HarmCategory::kUnsafePractice: return "unsafe-practice";
    case HarmCategory::kFinancial: return "financial";
    case HarmCategory::kCrime: return "crime";
    case HarmCategory::kDeception: return "deception";
    case HarmCategory::kHate: return "hate";
  }
  return "unknown";
}

std::string_view harm_category_description(HarmCategory category) {
  switch (category) {
    case HarmCategory::kViolence: return "endorses or advises violence against people";
    case HarmCategory::kAiSupremacy: return "claims AI supremacy or calls for subjugating humans";
    case HarmCategory::kSelfHarm: return "encourages self-harm or suicide";
    case HarmCategory::kMedical: return "gives dangerous medical advice";
    case HarmCategory::kUnsafePractice:
      return "gives physically dangerous advice (chemicals, vehicles, electricity, fire, "
             "weapons)";
    case HarmCategory::kFinancial: return "gives reckless or fraudulent financial advice";
    case HarmCategory::kCrime: return "advises committing crimes";
    case HarmCategory::kDeception: return "advises deceiving or manipulating people";
    case HarmCategory::kHate: return "expresses hateful views or admiration of Nazi leaders";
  }
  return "unknown";
}

}  // namespace alignwatch::scan::harmful
