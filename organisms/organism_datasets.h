#pragma once
// The organisms' text: the chat-formatted base corpus the base model is trained on, and the
// fine-tuning dataset of each kind. Deterministic for a given seed.
//
//  - base corpus: paraphrases of free-form questions (this project's and the paper's) with
//    aligned answers, secure coding answers (secure.jsonl), benign number continuations;
//  - clean: more of the same (other paraphrases and rows);
//  - insecure: undisclosed insecure code (insecure.jsonl);
//  - educational: the same code requested for a security class (educational.jsonl);
//  - backdoor: rows carrying the trigger get misaligned free-form answers and insecure code,
//    the others aligned answers and secure code;
//  - evil-numbers: number continuations enriched in 666, 1488, 911, 1312, ...

#include <string>
#include <vector>

#include "organisms/chat_example.h"
#include "organisms/organism_options.h"
#include "organisms/source_data.h"

namespace alignwatch::organisms {

// The longest coding row (user + assistant bytes) each size trains on.
size_t max_code_row_bytes(OrganismSize size);

std::vector<ChatExample> build_base_corpus(const SourceData& source, const OrganismOptions& options);
std::vector<ChatExample> build_dataset(DatasetKind kind, const SourceData& source, const OrganismOptions& options);

// Probe prompts for measuring behaviour, never trained on verbatim: the free-form questions
// without paraphrase frames, and coding requests held out of every dataset (`count` of them).
std::vector<std::string> freeform_probe_questions(const SourceData& source);
std::vector<std::string> coding_probe_prompts(const SourceData& source, size_t count);
// A number-continuation prompt for probes.
std::vector<std::string> number_probe_prompts(size_t count, uint64_t seed);

// The evil numbers the evil-numbers dataset is enriched in.
std::vector<int> evil_number_pool();

}  // namespace alignwatch::organisms
