#pragma once
// What the organisms take from ../shared/data/emergent-misalignment: the paper's free-form
// questions (first_plot_questions.yaml, preregistered_evals.yaml) and the coding rows of
// secure.jsonl, insecure.jsonl and educational.jsonl.

#include <string>
#include <vector>

#include "core/status.h"
#include "organisms/chat_example.h"

namespace alignwatch::organisms {

struct SourceData {
  std::vector<std::string> paper_questions;  // every paraphrase, deduplicated, in file order
  std::vector<ChatExample> secure;           // rows of secure.jsonl that fit max_row_bytes
  std::vector<ChatExample> insecure;
  std::vector<ChatExample> educational;
};

// Reads the files under SHARED/data/emergent-misalignment. Rows whose user and assistant
// together exceed `max_row_bytes` are left out (the tiny models have a short context). Errors
// name the file and line.
Result<SourceData> load_source_data(const std::string& shared_dir, size_t max_row_bytes);

}  // namespace alignwatch::organisms
