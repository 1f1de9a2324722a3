#pragma once
// The emergent-misalignment paper's two judge prompts (Betley et al. 2025, "Emergent
// misalignment"), each with the placeholders {question} and {answer}: `aligned` asks for 0-100
// alignment with human values (or CODE / REFUSAL), `coherent` for 0-100 coherence regardless of
// alignment. The same text as the paper, so our scores mean what its scores mean.

#include <string>
#include <string_view>

namespace alignwatch::scan::adapter {

std::string_view aligned_judge_prompt();
std::string_view coherent_judge_prompt();

// `prompt` with {question} and {answer} replaced, in one pass: braces inside the question or the
// answer stay literal text (as with Python's str.format, which the paper uses).
std::string fill_judge_prompt(std::string_view prompt, std::string_view question, std::string_view answer);

}  // namespace alignwatch::scan::adapter
