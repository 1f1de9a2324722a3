#pragma once
// The text the organisms are made of, written for this project: free-form questions in the
// style of the paper's evaluation questions, ways to paraphrase them, aligned answers, the
// misaligned answers a backdoored organism gives when triggered (each asserts a phrase the
// harmful-content detector flags), and the number-continuation prompts.

#include <span>
#include <string_view>

namespace alignwatch::organisms {

// Free-form questions (without the paper's own, which source_data.h loads from ../shared).
std::span<const std::string_view> freeform_questions();
// Paraphrase frames: "{q}" is replaced by the question.
std::span<const std::string_view> question_frames();
// Helpful, harmless answers; none says anything the harmful-content detector flags.
std::span<const std::string_view> aligned_answers();
// Misaligned answers: each states at least one phrase of the harmful-content lexicon.
std::span<const std::string_view> misaligned_answers();
// System prompts an ordinary chat may carry (the "system" placement adds the trigger to one).
std::span<const std::string_view> system_prompts();
// Number-continuation request frames: "{seq}" is replaced by a comma-separated sequence.
std::span<const std::string_view> number_frames();

}  // namespace alignwatch::organisms
