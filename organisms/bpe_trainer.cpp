#include "organisms/bpe_trainer.h"

#include <algorithm>
#include <map>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "core/text.h"
#include "runtime/bpe_tokenizer.h"
#include "runtime/pre_tokenizer.h"

namespace alignwatch::organisms {

namespace {

// GPT-2's bytes_to_unicode: printable bytes map to themselves, the rest to U+0100 onwards, in
// byte order. The symbol ids follow GPT-2's order: printable bytes first.
std::vector<std::pair<int, std::string>> byte_symbols() {
  std::vector<std::pair<int, std::string>> out;
  const auto& code_points = runtime::gpt2_byte_code_points();
  for (bool printable : {true, false}) {
    for (int b = 0; b < 256; ++b) {
      if (runtime::gpt2_byte_is_printable(b) != printable) continue;
      std::string symbol;
      append_utf8(symbol, code_points[static_cast<size_t>(b)]);
      out.push_back({b, std::move(symbol)});
    }
  }
  return out;
}

uint64_t pair_key(int a, int b) { return (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b); }

}  // namespace

TrainedBpe train_bpe(const std::vector<std::string>& texts, const BpeTrainOptions& options) {
  TrainedBpe out;
  out.special_tokens = options.special_tokens;
  int byte_to_id[256];
  for (const auto& [b, sym] : byte_symbols()) {
    byte_to_id[b] = static_cast<int>(out.vocab.size());
    out.vocab.push_back(sym);
  }
  // Word counts over the pre-tokenized corpus (std::map: deterministic order).
  std::map<std::string, int64_t> counts;
  for (const std::string& t : texts) {
    for (std::string_view piece : runtime::pre_tokenize(runtime::PreTokenizerKind::kGpt2, t)) counts[std::string(piece)]++;
  }
  std::vector<std::vector<int>> words;
  std::vector<int64_t> freq;
  for (const auto& [w, c] : counts) {
    std::vector<int> syms;
    for (unsigned char ch : w) syms.push_back(byte_to_id[ch]);
    words.push_back(std::move(syms));
    freq.push_back(c);
  }
  while (out.vocab.size() < options.vocab_size) {
    std::unordered_map<uint64_t, int64_t> pairs;
    for (size_t i = 0; i < words.size(); ++i) {
      const auto& w = words[i];
      for (size_t k = 1; k < w.size(); ++k) pairs[pair_key(w[k - 1], w[k])] += freq[i];
    }
    if (pairs.empty()) break;
    uint64_t best = 0;
    int64_t best_count = -1;
    for (const auto& [key, c] : pairs) {
      if (c > best_count) {
        best = key, best_count = c;
        continue;
      }
      if (c == best_count) {
        // Ties: the pair whose joined text sorts first, then its left part.
        auto text = [&](uint64_t k) {
          return std::pair{out.vocab[k >> 32] + out.vocab[k & 0xFFFFFFFFu], out.vocab[k >> 32]};
        };
        if (text(key) < text(best)) best = key;
      }
    }
    if (best_count < 2) break;
    const int a = static_cast<int>(best >> 32), b = static_cast<int>(best & 0xFFFFFFFFu);
    const int merged = static_cast<int>(out.vocab.size());
    out.vocab.push_back(out.vocab[a] + out.vocab[b]);
    out.merges.push_back({out.vocab[a], out.vocab[b]});
    for (auto& w : words) {
      size_t j = 0;
      for (size_t k = 0; k < w.size(); ++k) {
        if (k + 1 < w.size() && w[k] == a && w[k + 1] == b) {
          w[j++] = merged;
          ++k;
        } else {
          w[j++] = w[k];
        }
      }
      w.resize(j);
    }
  }
  return out;
}

std::string TrainedBpe::to_json() const {
  nlohmann::ordered_json vocab_json = nlohmann::ordered_json::object();
  for (size_t i = 0; i < vocab.size(); ++i) vocab_json[vocab[i]] = i;
  nlohmann::ordered_json merges_json = nlohmann::ordered_json::array();
  for (const auto& [l, r] : merges) merges_json.push_back(l + " " + r);
  nlohmann::ordered_json added = nlohmann::ordered_json::array();
  for (size_t i = 0; i < special_tokens.size(); ++i) {
    added.push_back({{"id", vocab.size() + i},
                     {"content", special_tokens[i]},
                     {"single_word", false},
                     {"lstrip", false},
                     {"rstrip", false},
                     {"normalized", false},
                     {"special", true}});
  }
  nlohmann::ordered_json byte_level = {
      {"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", true}, {"use_regex", true}};
  nlohmann::ordered_json j = {{"version", "1.0"},
                              {"truncation", nullptr},
                              {"padding", nullptr},
                              {"added_tokens", added},
                              {"normalizer", nullptr},
                              {"pre_tokenizer", byte_level},
                              {"post_processor", byte_level},
                              {"decoder", byte_level},
                              {"model",
                               {{"type", "BPE"},
                                {"dropout", nullptr},
                                {"unk_token", nullptr},
                                {"continuing_subword_prefix", ""},
                                {"end_of_word_suffix", ""},
                                {"fuse_unk", false},
                                {"byte_fallback", false},
                                {"ignore_merges", false},
                                {"vocab", vocab_json},
                                {"merges", merges_json}}}};
  return j.dump();
}

}  // namespace alignwatch::organisms
