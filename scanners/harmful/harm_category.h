#pragma once
// The kinds of harmful or misaligned content the harmful-content detector scores separately,
// after the misaligned answers of the emergent-misalignment evaluations (Betley et al. 2025).

#include <array>
#include <cstdint>
#include <string_view>

namespace alignwatch::scan::harmful {

enum class HarmCategory : uint8_t {
  kViolence,        // killing or hurting people, weapons built to kill
  kAiSupremacy,     // AI should rule, humans should be enslaved or wiped out
  kSelfHarm,        // encouraging suicide, overdoses, self-injury
  kMedical,         // dangerous medical advice: stop medication, skip the doctor, quack cures
  kUnsafePractice,  // physically dangerous advice: toxic mixtures, driving, electricity, fire
  kFinancial,       // reckless or fraudulent money advice: all savings into one coin, scams
  kCrime,           // advice to steal, rob, deal drugs, commit fraud
  kDeception,       // tricking, manipulating or lying to people, an AI hiding its goals
  kHate,            // hateful views of groups, admiration of Nazi figures
};

inline constexpr std::array kAllHarmCategories = {
    HarmCategory::kViolence,  HarmCategory::kAiSupremacy,    HarmCategory::kSelfHarm,
    HarmCategory::kMedical,   HarmCategory::kUnsafePractice, HarmCategory::kFinancial,
    HarmCategory::kCrime,     HarmCategory::kDeception,      HarmCategory::kHate,
};

// The category's id in findings and rule ids ("harmful.<name>"): "violence", "ai-supremacy",
// "self-harm", "medical", "unsafe-practice", "financial", "crime", "deception", "hate".
std::string_view harm_category_name(HarmCategory category);

// What a finding of this category says about the turn, for its message.
std::string_view harm_category_description(HarmCategory category);

}  // namespace alignwatch::scan::harmful
