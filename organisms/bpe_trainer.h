#pragma once
// Trains a byte-level BPE tokenizer (GPT-2's byte-to-unicode mapping and pre-tokenizer) on a
// corpus and writes it as a Hugging Face tokenizer.json that runtime/bpe_tokenizer.h loads:
// 256 byte symbols, then one symbol per merge (most frequent adjacent pair first, ties broken
// by the pair's text so the result is deterministic), then the added special tokens.

#include <string>
#include <vector>

#include "core/status.h"

namespace alignwatch::organisms {

struct BpeTrainOptions {
  size_t vocab_size = 1024;                // including the 256 bytes, excluding special tokens
  std::vector<std::string> special_tokens;  // added tokens, ids after the vocabulary
};

struct TrainedBpe {
  std::vector<std::string> vocab;                            // by id, in byte-level unicode form
  std::vector<std::pair<std::string, std::string>> merges;  // by rank
  std::vector<std::string> special_tokens;                   // ids vocab.size() + i
  // tokenizer.json text.
  std::string to_json() const;
  size_t total_size() const { return vocab.size() + special_tokens.size(); }
};

TrainedBpe train_bpe(const std::vector<std::string>& texts, const BpeTrainOptions& options);

}  // namespace alignwatch::organisms
