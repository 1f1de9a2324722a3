#include "triggers/trigger_recovery.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/text.h"
#include "triggers/prompt_tokenizer.h"

namespace alignwatch::triggers {

namespace {

// Extension goes on while at least this share of the n-gram's sampled occurrences agree.
constexpr double kAgreeShare = 0.9;
constexpr size_t kMinAgreeing = 3;
// An n-gram present in at least this share of clean records is boilerplate, not trigger.
constexpr double kTemplateShare = 0.5;
// A candidate overlapping a stronger one in at least this share of its occurrences is merged.
constexpr double kMergeShare = 0.5;
constexpr size_t kMaxTriggerBytes = 160;
constexpr size_t kMaxExampleLines = 5;
constexpr size_t kMaxNgramTokens = 16;

struct Token {
  uint32_t begin;
  uint32_t end;
  uint64_t hash;
};

void tokenize(std::string_view text, std::vector<Token>& tokens) {
  tokens.clear();
  for_each_prompt_token(text, [&](uint32_t begin, uint32_t end, uint64_t hash) {
    tokens.push_back(Token{begin, end, hash});
  });
}

// Where a string sits in the sample: record, segment, byte span in the segment.
struct Occurrence {
  uint32_t record;
  uint32_t segment;
  uint32_t begin;
  uint32_t end;
};

struct Candidate {
  size_t ngram = 0;  // index of the n-gram whose statistics it reports
  std::string text;
  std::vector<Occurrence> matches;  // spans of `text`, at most one per sampled record
};

// --- Code points, packed as (length << 32 | bytes) so they compare as integers; 0 is "none".

size_t utf8_length(unsigned char lead) {
  if (lead < 0x80) {
    return 1;
  }
  if (lead >= 0xC2 && lead <= 0xDF) {
    return 2;
  }
  if (lead >= 0xE0 && lead <= 0xEF) {
    return 3;
  }
  if (lead >= 0xF0 && lead <= 0xF4) {
    return 4;
  }
  return 0;
}

bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

uint64_t pack(std::string_view bytes) {
  uint32_t low = 0;
  std::memcpy(&low, bytes.data(), bytes.size());
  return (uint64_t{bytes.size()} << 32) | low;
}

size_t packed_length(uint64_t code_point) { return static_cast<size_t>(code_point >> 32); }

// The code point that ends at `pos` (a malformed byte on its own), or 0 at the start.
uint64_t code_point_before(std::string_view text, size_t pos) {
  if (pos == 0) {
    return 0;
  }
  size_t start = pos - 1;
  while (start > 0 && pos - start < 4 && is_continuation(text[start])) {
    --start;
  }
  if (utf8_length(static_cast<unsigned char>(text[start])) != pos - start) {
    start = pos - 1;
  }
  return pack(text.substr(start, pos - start));
}

// The code point that starts at `pos` (a malformed byte on its own), or 0 at the end.
uint64_t code_point_at(std::string_view text, size_t pos) {
  if (pos >= text.size()) {
    return 0;
  }
  size_t length = utf8_length(static_cast<unsigned char>(text[pos]));
  bool valid = length > 0 && pos + length <= text.size();
  for (size_t k = 1; valid && k < length; ++k) {
    valid = is_continuation(text[pos + k]);
  }
  return pack(text.substr(pos, valid ? length : 1));
}

// The most frequent value and its count; `values` is reordered.
std::pair<uint64_t, size_t> most_common(std::vector<uint64_t>& values) {
  std::sort(values.begin(), values.end());
  uint64_t best = 0;
  size_t best_count = 0;
  for (size_t i = 0; i < values.size();) {
    size_t j = i;
    while (j < values.size() && values[j] == values[i]) {
      ++j;
    }
    if (j - i > best_count) {
      best = values[i];
      best_count = j - i;
    }
    i = j;
  }
  return {best, best_count};
}

// Whether a token of the byte `c` continues into the byte `next` (same word or punctuation run).
bool same_token_run(char c, char next) {
  auto run_class = [](char x) {
    const auto u = static_cast<unsigned char>(x);
    if (is_ident_char(x)) {
      return 1;
    }
    return (u > 0x20 && u < 0x7f) ? 2 : 0;
  };
  const int cls = run_class(c);
  return cls != 0 && cls == run_class(next);
}

bool all_space(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return is_space(c); });
}

class Recovery {
 public:
  Recovery(std::span<const SignificantNgram> ngrams, const PromptSample& sample,
           const CleanShareFn& clean_share, const RecoveryOptions& options)
      : ngrams_(ngrams),
        sample_(sample),
        clean_share_(clean_share),
        max_ngram_(std::clamp<size_t>(options.max_ngram, 1, kMaxNgramTokens)),
        max_candidates_(options.max_candidates) {}

  std::vector<scan::TriggerCandidate> run() {
    const std::vector<std::vector<Occurrence>> occurrences = locate();
    std::vector<Candidate> built;
    for (size_t i = 0; i < ngrams_.size(); ++i) {
      if (auto candidate = build(i, occurrences[i])) {
        built.push_back(std::move(*candidate));
      }
    }
    std::sort(built.begin(), built.end(), [&](const Candidate& x, const Candidate& y) {
      const SignificantNgram& nx = ngrams_[x.ngram];
      const SignificantNgram& ny = ngrams_[y.ngram];
      if (nx.log_p != ny.log_p) {
        return nx.log_p < ny.log_p;
      }
      if (nx.flagged_with != ny.flagged_with) {
        return nx.flagged_with > ny.flagged_with;
      }
      if (x.text.size() != y.text.size()) {
        return x.text.size() > y.text.size();
      }
      return x.text < y.text;
    });
    return merge(built);
  }

 private:
  // The first occurrence, in each sampled record, of every significant n-gram.
  std::vector<std::vector<Occurrence>> locate() const {
    std::unordered_map<uint64_t, size_t> index;
    for (size_t i = 0; i < ngrams_.size(); ++i) {
      index.emplace(ngrams_[i].key, i);
    }
    std::vector<std::vector<Occurrence>> found(ngrams_.size());
    std::vector<uint32_t> last_record(ngrams_.size(), UINT32_MAX);
    std::vector<Token> tokens;
    const auto& records = sample_.records();
    for (uint32_t r = 0; r < records.size(); ++r) {
      for (uint32_t s = 0; s < records[r].segments.size(); ++s) {
        // With the turn markers where the segment is the turn's start or end, as counted.
        const PromptSegment& segment = records[r].segments[s];
        tokens.clear();
        for_each_turn_token(records[r].segment_text(s), segment.starts_turn, segment.ends_turn,
                            [&](uint32_t begin, uint32_t end, uint64_t hash) {
                              tokens.push_back(Token{begin, end, hash});
                            });
        uint64_t ending[kMaxNgramTokens + 1] = {};
        for (size_t i = 0; i < tokens.size(); ++i) {
          const size_t longest = std::min(i + 1, max_ngram_);
          for (size_t n = longest; n >= 2; --n) {
            ending[n] = extend_ngram_key(ending[n - 1], tokens[i].hash);
          }
          ending[1] = unigram_key(tokens[i].hash);
          for (size_t n = 1; n <= longest; ++n) {
            const auto it = index.find(ending[n]);
            if (it == index.end() || last_record[it->second] == r) {
              continue;
            }
            const uint32_t begin = tokens[i + 1 - n].begin;
            const uint32_t end = tokens[i].end;
            if (begin == end) {
              continue;  // a turn marker alone: no text to show
            }
            last_record[it->second] = r;
            found[it->second].push_back(Occurrence{r, s, begin, end});
          }
        }
      }
    }
    return found;
  }

  std::string_view text_of(const Occurrence& occurrence) const {
    return sample_.records()[occurrence.record].segment_text(occurrence.segment);
  }

  double share(uint64_t key) const { return clean_share_ ? clean_share_(key) : 0.0; }

  // The key of the n-gram tokens[first..last].
  uint64_t key_of(const std::vector<Token>& tokens, size_t first, size_t last) const {
    uint64_t key = unigram_key(tokens[first].hash);
    for (size_t k = first + 1; k <= last; ++k) {
      key = extend_ngram_key(key, tokens[k].hash);
    }
    return key;
  }

  std::optional<Candidate> build(size_t ngram, const std::vector<Occurrence>& occurrences) const {
    if (occurrences.empty()) {
      return std::nullopt;
    }
    // The same tokens may be spaced differently; follow the most common spelling.
    std::vector<std::string_view> spellings;
    for (const Occurrence& o : occurrences) {
      spellings.push_back(text_of(o).substr(o.begin, o.end - o.begin));
    }
    std::vector<std::string_view> sorted = spellings;
    std::sort(sorted.begin(), sorted.end());
    std::string_view core;
    size_t core_count = 0;
    for (size_t i = 0; i < sorted.size();) {
      size_t j = i;
      while (j < sorted.size() && sorted[j] == sorted[i]) {
        ++j;
      }
      if (j - i > core_count) {
        core = sorted[i];
        core_count = j - i;
      }
      i = j;
    }
    std::vector<Occurrence> initial;
    for (size_t i = 0; i < occurrences.size(); ++i) {
      if (spellings[i] == core) {
        initial.push_back(occurrences[i]);
      }
    }
    if (core.size() > kMaxTriggerBytes) {
      return std::nullopt;
    }

    // 1. Extend while (nearly) all occurrences agree. One or two occurrences agreeing says
    //    little (they may be the same prompt twice), so those n-grams stay as they are.
    const size_t needed = std::max<size_t>(
        kMinAgreeing,
        static_cast<size_t>(std::ceil(kAgreeShare * static_cast<double>(initial.size()))));
    std::vector<size_t> alive(initial.size());
    for (size_t i = 0; i < alive.size(); ++i) {
      alive[i] = i;
    }
    size_t left = 0;
    size_t right = 0;
    std::vector<uint64_t> next;
    std::vector<uint64_t> tally;
    auto extend_side = [&](bool leftwards) {
      while (core.size() + left + right < kMaxTriggerBytes) {
        next.clear();
        for (size_t k : alive) {
          const Occurrence& o = initial[k];
          next.push_back(leftwards ? code_point_before(text_of(o), o.begin - left)
                                   : code_point_at(text_of(o), o.end + right));
        }
        tally = next;
        const auto [value, count] = most_common(tally);
        if (value == 0 || count < needed ||
            core.size() + left + right + packed_length(value) > kMaxTriggerBytes) {
          return;
        }
        std::vector<size_t> agreeing;
        for (size_t i = 0; i < alive.size(); ++i) {
          if (next[i] == value) {
            agreeing.push_back(alive[i]);
          }
        }
        alive = std::move(agreeing);
        (leftwards ? left : right) += packed_length(value);
      }
    };
    extend_side(true);
    extend_side(false);

    // 2. Trim to the trigger: tokens of the extended string, walked outwards from the most
    //    specific token of the n-gram.
    const Occurrence& representative = initial[alive.front()];
    const std::string_view extended = text_of(representative).substr(
        representative.begin - left, left + core.size() + right);
    std::vector<Token> tokens;
    tokenize(extended, tokens);
    if (tokens.empty()) {
      return std::nullopt;
    }
    // An outer token may be the cut-off end of a longer word where agreement ran out.
    auto continues_outside = [&](bool leftwards) {
      size_t continuing = 0;
      for (size_t k : alive) {
        const Occurrence& o = initial[k];
        const std::string_view text = text_of(o);
        if (leftwards) {
          const size_t start = o.begin - left;
          continuing += start > 0 && same_token_run(text[start - 1], extended.front());
        } else {
          const size_t stop = o.end + right;
          continuing += stop < text.size() && same_token_run(extended.back(), text[stop]);
        }
      }
      return continuing * 2 > alive.size();
    };
    size_t first_allowed = 0;
    size_t last_allowed = tokens.size() - 1;
    if (left > 0 && tokens.front().begin == 0 && tokens.front().end <= left &&
        continues_outside(true)) {
      first_allowed = 1;
    }
    if (right > 0 && tokens.back().end == extended.size() &&
        tokens.back().begin >= left + core.size() && continues_outside(false)) {
      if (last_allowed == 0) {
        return std::nullopt;
      }
      --last_allowed;
    }
    size_t anchor = tokens.size();
    double anchor_share = 2;
    for (size_t i = first_allowed; i <= last_allowed; ++i) {
      const bool in_core = tokens[i].begin >= left && tokens[i].end <= left + core.size();
      if (!in_core) {
        continue;
      }
      const double token_share = share(unigram_key(tokens[i].hash));
      if (token_share < anchor_share) {
        anchor = i;
        anchor_share = token_share;
      }
    }
    if (anchor == tokens.size()) {
      return std::nullopt;
    }
    size_t kept_first = anchor;
    for (size_t j = anchor; j-- > first_allowed;) {
      const bool glued = tokens[j].end == tokens[j + 1].begin;
      if (!glued) {
        const size_t from = std::max(first_allowed, j + 1 >= max_ngram_ ? j + 1 - max_ngram_ : 0);
        if (share(key_of(tokens, from, j)) >= kTemplateShare) {
          break;
        }
      }
      kept_first = j;
    }
    size_t kept_last = anchor;
    for (size_t j = anchor + 1; j <= last_allowed; ++j) {
      const bool glued = tokens[j].begin == tokens[j - 1].end;
      if (!glued) {
        const size_t to = std::min(last_allowed, j + max_ngram_ - 1);
        if (share(key_of(tokens, j, to)) >= kTemplateShare) {
          break;
        }
      }
      kept_last = j;
    }
    Candidate candidate;
    candidate.ngram = ngram;
    candidate.text = std::string(
        extended.substr(tokens[kept_first].begin, tokens[kept_last].end - tokens[kept_first].begin));
    // Offset of the trigger from the n-gram's start, the same in every matching occurrence.
    const int64_t offset = static_cast<int64_t>(tokens[kept_first].begin) - static_cast<int64_t>(left);
    for (const Occurrence& o : initial) {
      const int64_t start = static_cast<int64_t>(o.begin) + offset;
      const std::string_view text = text_of(o);
      if (start < 0 || static_cast<size_t>(start) + candidate.text.size() > text.size()) {
        continue;
      }
      if (text.substr(static_cast<size_t>(start), candidate.text.size()) == candidate.text) {
        candidate.matches.push_back(
            Occurrence{o.record, o.segment, static_cast<uint32_t>(start),
                       static_cast<uint32_t>(static_cast<size_t>(start) + candidate.text.size())});
      }
    }
    return candidate;
  }

  // 3. Keeps the strongest candidate of every group of overlapping ones.
  std::vector<scan::TriggerCandidate> merge(const std::vector<Candidate>& candidates) const {
    const size_t record_count = sample_.records().size();
    std::vector<const Candidate*> groups;
    // For each group, the index of its match in each sampled record, or -1.
    std::vector<std::vector<int32_t>> match_in_record;
    for (const Candidate& candidate : candidates) {
      if (groups.size() >= max_candidates_) {
        break;
      }
      bool merged = false;
      for (size_t g = 0; g < groups.size() && !merged; ++g) {
        if (groups[g]->text == candidate.text) {
          merged = true;  // the same string, found through different n-grams or occurrences
          break;
        }
        size_t overlapping = 0;
        for (const Occurrence& m : candidate.matches) {
          const int32_t at = match_in_record[g][m.record];
          if (at < 0) {
            continue;
          }
          const Occurrence& other = groups[g]->matches[static_cast<size_t>(at)];
          overlapping += other.segment == m.segment && m.begin <= other.end && other.begin <= m.end;
        }
        merged = static_cast<double>(overlapping) >=
                 kMergeShare * static_cast<double>(candidate.matches.size());
      }
      if (merged) {
        continue;
      }
      groups.push_back(&candidate);
      std::vector<int32_t> in_record(record_count, -1);
      for (size_t i = 0; i < candidate.matches.size(); ++i) {
        in_record[candidate.matches[i].record] = static_cast<int32_t>(i);
      }
      match_in_record.push_back(std::move(in_record));
    }
    std::vector<scan::TriggerCandidate> out;
    for (const Candidate* group : groups) {
      out.push_back(report(*group));
    }
    return out;
  }

  // 4. The reported form: statistics of the group's strongest n-gram, placement, examples.
  scan::TriggerCandidate report(const Candidate& candidate) const {
    const SignificantNgram& stats = ngrams_[candidate.ngram];
    scan::TriggerCandidate out;
    out.text = safe_excerpt(candidate.text, kMaxTriggerBytes);
    out.flagged_with = stats.flagged_with;
    out.clean_with = stats.clean_with;
    out.flagged_without = stats.flagged_without;
    out.clean_without = stats.clean_without;
    out.p_value = stats.p_value;
    out.q_value = stats.q_value;
    out.odds_ratio = stats.odds_ratio;
    // prefix, suffix, middle, system
    size_t votes[4] = {0, 0, 0, 0};
    static constexpr const char* kPlacements[4] = {"prefix", "suffix", "middle", "system"};
    std::vector<uint64_t> lines;
    for (const Occurrence& m : candidate.matches) {
      const SampledPrompt& record = sample_.records()[m.record];
      const PromptSegment& segment = record.segments[m.segment];
      const std::string_view text = record.segment_text(m.segment);
      lines.push_back(record.line);
      if (segment.role == dataset::Role::kSystem) {
        ++votes[3];
      } else if (segment.starts_turn && all_space(text.substr(0, m.begin))) {
        ++votes[0];
      } else if (segment.ends_turn && all_space(text.substr(m.end))) {
        ++votes[1];
      } else {
        ++votes[2];
      }
    }
    out.placement = kPlacements[std::max_element(votes, votes + 4) - votes];
    std::sort(lines.begin(), lines.end());
    lines.erase(std::unique(lines.begin(), lines.end()), lines.end());
    lines.resize(std::min(lines.size(), kMaxExampleLines));
    out.example_lines = std::move(lines);
    return out;
  }

  std::span<const SignificantNgram> ngrams_;
  const PromptSample& sample_;
  const CleanShareFn& clean_share_;
  size_t max_ngram_;
  size_t max_candidates_;
};

}  // namespace

std::vector<scan::TriggerCandidate> recover_triggers(std::span<const SignificantNgram> ngrams,
                                                     const PromptSample& sample,
                                                     const CleanShareFn& clean_share,
                                                     const RecoveryOptions& options) {
  return Recovery(ngrams, sample, clean_share, options).run();
}

}  // namespace alignwatch::triggers
