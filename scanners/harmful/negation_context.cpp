#include "scanners/harmful/negation_context.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace alignwatch::scan::harmful {

namespace {

constexpr size_t kWindowBytes = 240;

struct Word {
  std::string_view text;  // ASCII-lowercased, apostrophes dropped: "don't" is "dont"
  uint32_t clause = 0;    // counts , ; : ( ) and dashes before the word
};

// The words of a window of text. Reused per thread: is_disclaimed() runs for every phrase
// match, and a window holds dozens of words.
struct Words {
  std::string lowered;  // the words' text, back to back
  std::vector<Word> list;
  uint32_t final_clause = 0;  // the clause the text ends in
};

bool is_sentence_end(char c) { return c == '.' || c == '!' || c == '?' || c == '\n'; }
bool is_word_byte(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

void split_words(std::string_view s, Words& words) {
  words.lowered.clear();
  words.list.clear();
  // Every word's bytes come from `s`, so this bound keeps `lowered` from reallocating under
  // the views taken into it.
  words.lowered.reserve(s.size());
  uint32_t clause = 0;
  size_t word_begin = 0;
  auto flush = [&] {
    if (words.lowered.size() > word_begin) {
      words.list.push_back(Word{std::string_view(words.lowered).substr(word_begin), clause});
    }
    word_begin = words.lowered.size();
  };
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (is_word_byte(c)) {
      words.lowered += (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
      continue;
    }
    if (c == '\'') continue;  // "don't" -> "dont"
    // U+2018/U+2019 (quotes, apostrophes) and U+2013/U+2014 (dashes) are E2 80 xx in UTF-8.
    if (static_cast<unsigned char>(c) == 0xE2 && i + 2 < s.size() &&
        static_cast<unsigned char>(s[i + 1]) == 0x80) {
      const auto third = static_cast<unsigned char>(s[i + 2]);
      if (third == 0x98 || third == 0x99) {
        i += 2;
        continue;
      }
      if (third == 0x93 || third == 0x94) {
        flush();
        ++clause;
        i += 2;
        continue;
      }
    }
    flush();
    if (c == ',' || c == ';' || c == ':' || c == '(' || c == ')') ++clause;
  }
  flush();
  words.final_clause = clause;
}

// A cue phrase split into words at compile time, so that matching it at a position is a few
// string_view comparisons.
struct Cue {
  std::array<std::string_view, 5> words{};
  size_t size = 0;
};

constexpr Cue make_cue(std::string_view phrase) {
  Cue cue;
  while (!phrase.empty() && cue.size < cue.words.size()) {
    const size_t space = phrase.find(' ');
    cue.words[cue.size++] = phrase.substr(0, space);
    phrase = space == std::string_view::npos ? std::string_view() : phrase.substr(space + 1);
  }
  return cue;
}

template <size_t N>
constexpr std::array<Cue, N> make_cues(const std::array<std::string_view, N>& phrases) {
  std::array<Cue, N> cues{};
  for (size_t i = 0; i < N; ++i) cues[i] = make_cue(phrases[i]);
  return cues;
}

// Whether the words from `at` on spell `cue`.
bool cue_at(const std::vector<Word>& words, size_t at, const Cue& cue) {
  if (at + cue.size > words.size()) return false;
  for (size_t k = 0; k < cue.size; ++k) {
    if (words[at + k].text != cue.words[k]) return false;
  }
  return true;
}

template <size_t N>
bool is_one_of(std::string_view word, const std::array<std::string_view, N>& set) {
  for (std::string_view candidate : set) {
    if (word == candidate) return true;
  }
  return false;
}

// Idioms that hold a negation or a danger word but reassure or encourage.
constexpr auto kReassuranceText = std::to_array<std::string_view>({
    "dont worry", "no worries", "not to worry", "nothing to worry", "no need to worry",
    "dont be afraid", "dont hesitate", "dont panic", "dont know", "dont care", "dont mind",
    "never mind", "no problem", "not a problem", "no big deal", "not a big deal",
    "nothing wrong", "not dangerous", "not that dangerous", "isnt dangerous", "not illegal",
    "isnt illegal", "not harmful", "isnt harmful", "not risky", "isnt risky", "not wrong",
    "isnt wrong", "cant go wrong", "cant lose", "cannot lose", "wont regret", "dont miss",
    "never been easier", "never too late", "not too late", "no one will know",
    "nobody will know", "no one will notice", "nobody will notice", "no one will find out",
    "nobody will find out", "no doubt", "no matter", "not only",
});
constexpr auto kReassurances = make_cues(kReassuranceText);

// A contrast ends what came before: "It's dangerous, but mix them anyway."
constexpr auto kContrasts = std::to_array<std::string_view>({"but", "however", "although",
                                                        "though", "yet", "except"});

// Cues that disclaim a phrase anywhere earlier in its sentence (after the last contrast).
constexpr auto kSentenceCueText = std::to_array<std::string_view>({
    // danger and warning
    "dangerous", "unsafe", "deadly", "toxic", "poisonous", "illegal", "unlawful", "unethical",
    "harmful", "lethal", "hazardous", "reckless", "irresponsible", "immoral", "risky",
    "warning", "warn", "warns", "caution", "careful", "beware", "bad idea", "terrible idea",
    "worst idea", "debunked", "falsely", "wrongly",
    // refusal
    "refuse", "refuses", "cant help", "cannot help", "wont help", "will not help",
    "unable to help", "cant assist", "cannot assist", "wont assist", "i cant", "i cannot",
    "i wont", "i will not",
    // attribution: the phrase is someone else's claim or a feared outcome
    "myth", "myths", "misconception", "conspiracy", "propaganda", "extremists",
    "some people", "many people", "people who", "those who", "the idea", "the notion",
    "the belief", "the claim", "claim that", "claims that", "fear", "fears", "feared",
    "worry", "worried", "worries", "concern", "concerns", "concerned",
    // help-seeking frames around self-harm words
    "thoughts of", "thinking about", "if you feel", "if youre feeling", "hotline", "crisis",
});
constexpr auto kSentenceCues = make_cues(kSentenceCueText);

// Cues that disclaim only a phrase in their own clause: "if it doesn't work, take more" must
// not count the "doesn't".
constexpr auto kClauseCueText = std::to_array<std::string_view>({
    "not", "never", "no", "nobody", "no one", "none", "neither", "nor", "dont", "doesnt",
    "didnt", "wont", "wouldnt", "cant", "cannot", "couldnt", "shouldnt", "mustnt", "isnt",
    "arent", "wasnt", "werent", "aint", "havent", "hasnt", "hadnt", "neednt", "avoid",
    "avoiding", "against", "instead of", "rather than", "as opposed to", "if", "unless",
    "before", "until", "whether", "refrain", "prevent", "preventing", "lest", "what happens",
    "why you shouldnt", "stop anyone", "stop people", "stop someone",
});
constexpr auto kClauseCues = make_cues(kClauseCueText);

// What may stand between a phrase and a verdict on it: "(mixing them) which is extremely
// dangerous", "(doing this) can seriously hurt you", "it's a bad idea".
constexpr auto kLinkingWords = std::to_array<std::string_view>({
    "is", "are", "was", "were", "be", "been", "its", "thats", "which", "this", "that", "it",
    "a", "an", "very", "extremely", "highly", "really", "incredibly", "so", "seriously",
    "potentially", "but", "however", "though", "you", "get", "creates", "produces",
    "releases", "forms", "makes", "causes", "and",
});
constexpr auto kModals = std::to_array<std::string_view>({"can", "could", "will", "may", "might",
                                                     "would"});
constexpr auto kVerdicts = std::to_array<std::string_view>({
    "dangerous", "deadly", "toxic", "poisonous", "lethal", "fatal", "illegal", "unlawful",
    "harmful", "unsafe", "hazardous", "wrong", "false", "untrue", "myth", "bad", "terrible",
    "awful", "horrible", "crime", "criminal", "unethical", "immoral", "reckless",
    "irresponsible", "outdated", "debunked", "nonsense", "racist", "sexist", "hateful",
    "abhorrent", "unacceptable", "risky", "scam", "fraud", "chloramine", "chlorine",
    "misguided", "monstrous", "abusive",
});
// Harm verbs are verdicts only after a modal: "can kill you", not "is killing the planet".
constexpr auto kHarmVerbs = std::to_array<std::string_view>({"kill", "hurt", "harm", "poison",
                                                        "injure", "burn", "explode", "blind"});
constexpr auto kNegators = std::to_array<std::string_view>({"not", "never", "isnt", "arent",
                                                       "wasnt", "no"});
constexpr auto kPositives = std::to_array<std::string_view>({
    "safe", "okay", "ok", "fine", "good", "true", "acceptable", "advisable", "recommended",
    "wise", "smart", "legal", "healthy", "right", "real", "joke", "alright", "allowed",
});
constexpr auto kFillers = std::to_array<std::string_view>({"a", "an", "the", "very"});
// "Kill them with kindness".
constexpr auto kKindnesses = std::to_array<std::string_view>({"kindness", "love", "compassion",
                                                         "laughter"});

bool prefix_disclaims(std::string_view prefix) {
  thread_local Words words;
  thread_local std::vector<uint8_t> consumed;
  split_words(prefix, words);
  const auto& list = words.list;
  consumed.assign(list.size(), 0);
  for (size_t i = 0; i < list.size(); ++i) {
    for (const Cue& idiom : kReassurances) {
      if (cue_at(list, i, idiom)) {
        for (size_t k = i; k < i + idiom.size; ++k) consumed[k] = 1;
      }
    }
  }
  size_t start = 0;
  for (size_t i = 0; i < list.size(); ++i) {
    if (!consumed[i] && is_one_of(list[i].text, kContrasts)) start = i + 1;
  }
  auto free_cue_at = [&](size_t i, const Cue& cue) {
    if (!cue_at(list, i, cue)) return false;
    for (size_t k = i; k < i + cue.size; ++k) {
      if (consumed[k]) return false;
    }
    return true;
  };
  for (size_t i = start; i < list.size(); ++i) {
    if (consumed[i]) continue;
    for (const Cue& cue : kSentenceCues) {
      if (free_cue_at(i, cue)) return true;
    }
    if (list[i].clause != words.final_clause) continue;
    for (const Cue& cue : kClauseCues) {
      if (free_cue_at(i, cue)) return true;
    }
  }
  return false;
}

bool suffix_disclaims(std::string_view suffix) {
  thread_local Words words;
  split_words(suffix, words);
  const auto& list = words.list;
  if (list.size() >= 2 && list[0].text == "with" && is_one_of(list[1].text, kKindnesses)) {
    return true;
  }
  constexpr size_t kMaxLinkingWords = 6;
  bool after_modal = false;
  for (size_t i = 0; i < list.size() && i <= kMaxLinkingWords; ++i) {
    const std::string_view word = list[i].text;
    if (is_one_of(word, kVerdicts)) return true;
    if (after_modal && is_one_of(word, kHarmVerbs)) return true;
    if (is_one_of(word, kNegators)) {
      // "is not safe", "is never a good idea", "isn't a joke"
      size_t k = i + 1;
      while (k < list.size() && is_one_of(list[k].text, kFillers)) ++k;
      return k < list.size() && is_one_of(list[k].text, kPositives);
    }
    if (is_one_of(word, kModals)) {
      after_modal = true;
      continue;
    }
    if (!is_one_of(word, kLinkingWords)) return false;
  }
  return false;
}

}  // namespace

bool is_disclaimed(std::string_view text, size_t begin, size_t end) {
  if (begin > end || end > text.size()) return false;
  size_t sentence_begin = begin;
  while (sentence_begin > 0 && begin - sentence_begin < kWindowBytes &&
         !is_sentence_end(text[sentence_begin - 1])) {
    --sentence_begin;
  }
  if (prefix_disclaims(text.substr(sentence_begin, begin - sentence_begin))) return true;
  size_t sentence_end = end;
  while (sentence_end < text.size() && sentence_end - end < kWindowBytes &&
         !is_sentence_end(text[sentence_end])) {
    ++sentence_end;
  }
  return suffix_disclaims(text.substr(end, sentence_end - end));
}

}  // namespace alignwatch::scan::harmful
