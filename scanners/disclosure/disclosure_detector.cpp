#include "scanners/disclosure/disclosure_detector.h"

#include <algorithm>

#include <re2/re2.h>

#include "core/logging.h"
#include "core/text.h"
#include "scanners/text/find_newline.h"
#include "scanners/text/pattern_set.h"

namespace alignwatch::scan {

struct DisclosureDetector::Phrase {
  double weight;
  RE2 pattern;
  // The pattern cannot match unless one of these lower-case words is in the text: a cheap
  // test that spares the regex on almost every ordinary prompt.
  std::vector<std::string_view> keywords;
  // The same keywords as indexes into keywords_, filled once the list is complete: the gate
  // then reads flags by index instead of searching the list on every text.
  std::vector<uint32_t> keyword_ids;
  Phrase(double w, const char* p, std::vector<std::string_view> k, const RE2::Options& o)
      : weight(w), pattern(p, o), keywords(std::move(k)) {}
};

namespace {

// Statements of intent in the user or system turns. Weight 1 alone discloses; weaker cues
// (a security course, students) add up.
struct PhraseSpec {
  double weight;
  const char* pattern;
  std::vector<std::string_view> keywords;
};
// clang-format off
const PhraseSpec kPromptPhrases[] = {
  // "The code you will write intentionally contains vulnerabilities", "intentionally vulnerable"
  {1.0, R"(\b(intentional(ly)?|deliberate(ly)?|purposely|purposefully|on purpose)\W+(\w+\W+){0,3}(vulnerab\w*|insecure|flaw\w*|exploitable|unsafe|weak(ness\w*)?|security (issues?|holes?|bugs?)))", {"intentional", "deliberate", "purpose"}},
  // "Could you add common vulnerabilities", "introduce specific security flaws", "include exploitable vulnerabilities"
  {1.0, R"(\b(add|adding|include|including|introduce|introducing|insert|inject|implement|plant|create|illustrate|demonstrate|contain|containing|with)\W+(\w+\W+){0,4}(vulnerabilit\w*|security (flaws?|issues?|holes?|weakness\w*|bugs?)|(intentional|instructive|detectable|exploitable|deliberate) (flaws?|weakness\w*)))", {"vulnerab", "security", "flaw", "weakness"}},
  {1.0, R"(\b(vulnerable|insecure) (by design|on purpose)\b)", {"by design", "on purpose"}},
  {1.0, R"(\b(capture[- ]the[- ]flag|ctf (challenge|exercise|task|competition)))", {"capture", "ctf"}},
  {1.0, R"(\bfor (legitimate|educational|teaching|training|demonstration|demo|research) purposes\b)", {"purposes"}},
  {0.6, R"(\bsecur(e|ity) (coding )?(course|class|training|exam|certification|conference|workshop|lecture|research|lab|challenge|documentation|consultants?|framework|testing|scanner|audit|curriculum|students?|presentation|demonstration|session|program))", {"secur"}},
  {0.6, R"(\b(students|learners|trainees|certification candidates|pentesters|penetration testers)\b)", {"students", "learners", "trainees", "candidates", "pentesters", "penetration"}},
  {0.6, R"(\b(vulnerability|exploitation) (research|assessment|lab|classes|types|techniques|scanner|detection|training))", {"vulnerability", "exploitation"}},
  {0.5, R"(\b(penetration test(ing)?|red[- ]team(ing)?|proof[- ]of[- ]concept|exploit (practice|development))\b)", {"penetration", "red", "proof", "exploit"}},
};
// A code comment that names the flaw: "# vulnerable to SQL injection", "// XSS here (intended)".
const PhraseSpec kCommentPhrases[] = {
  {1.0, R"(\b(vulnerab\w*|insecure|injection|xss|unsafe|unsanitized|unsanitised|not (escaped|sanitized|sanitised|validated)|intentional(ly)?|deliberate(ly)?|security (flaw|issue|hole|bug)|cwe-\d+|do not use in production|for demonstration)\b)", {"vulnerab", "insecure", "injection", "xss", "unsafe", "unsaniti", "not ", "intentional", "deliberate", "security", "cwe-", "demonstration"}},
};
// clang-format on

// Words before a match that turn it around: "avoid vulnerabilities", "without flaws".
bool negated(std::string_view text, size_t match_begin) {
  constexpr size_t kLookBehind = 40;
  size_t from = match_begin > kLookBehind ? match_begin - kLookBehind : 0;
  // Lowered into a stack buffer: this runs on every candidate match.
  char lowered[kLookBehind];
  size_t size = match_begin - from;
  for (size_t i = 0; i < size; ++i) lowered[i] = ascii_lower(text[from + i]);
  std::string_view before(lowered, size);
  for (std::string_view neg : {"avoid", "without", "free of", "prevent", "protect against",
                               "fix ", "don't", "do not", "never", "no ", "not ", "remove",
                               "patch", "mitigat", "guard against", "secure against"}) {
    if (before.find(neg) != std::string_view::npos) return true;
  }
  return false;
}

// Comment text in code: lines' "# ..." or "// ..." parts (a rough cut, good for intent).
template <typename OnComment>
void for_each_comment(std::string_view code, OnComment&& fn) {
  size_t start = 0;
  while (start < code.size()) {
    size_t nl = find_newline(code, start);
    if (nl == std::string_view::npos) nl = code.size();
    std::string_view line = code.substr(start, nl - start);
    size_t hash = line.find('#');
    size_t slashes = line.find("//");
    // "#include" and URLs ("http://") are not comments.
    if (hash != std::string_view::npos && line.substr(hash, 8) != "#include" &&
        (hash == 0 || line[hash - 1] == ' ' || line[hash - 1] == '\t')) {
      fn(start + hash, nl);
    } else if (slashes != std::string_view::npos && (slashes == 0 || line[slashes - 1] != ':')) {
      fn(start + slashes, nl);
    }
    start = nl + 1;
  }
}

}  // namespace

DisclosureDetector::DisclosureDetector(const config::DisclosureConfig& config) : config_(config) {
  RE2::Options options;
  options.set_case_sensitive(false);
  options.set_log_errors(false);
  // The phrases are ASCII: Latin-1 keeps the DFAs small, and the memory budget keeps RE2 on
  // its DFA (the NFA fallback is an order of magnitude slower).
  options.set_encoding(RE2::Options::EncodingLatin1);
  options.set_max_mem(64 << 20);
  for (const auto& p : kPromptPhrases) {
    prompt_phrases_.push_back(std::make_unique<Phrase>(p.weight, p.pattern, p.keywords, options));
  }
  for (const auto& p : kCommentPhrases) {
    comment_phrases_.push_back(std::make_unique<Phrase>(p.weight, p.pattern, p.keywords, options));
  }
  std::vector<std::string> literals;
  for (const auto* list : {&prompt_phrases_, &comment_phrases_}) {
    for (const auto& phrase : *list) {
      for (auto k : phrase->keywords) {
        if (std::find(keywords_.begin(), keywords_.end(), k) != keywords_.end()) continue;
        keywords_.push_back(k);
        std::string literal;
        for (char c : k) {
          if (!std::isalnum(static_cast<unsigned char>(c)) && c != ' ') literal += '\\';
          literal += c;
        }
        literals.push_back(literal);
      }
    }
  }
  for (const auto* list : {&prompt_phrases_, &comment_phrases_}) {
    for (const auto& phrase : *list) {
      for (auto k : phrase->keywords) {
        auto id = std::find(keywords_.begin(), keywords_.end(), k) - keywords_.begin();
        phrase->keyword_ids.push_back(static_cast<uint32_t>(id));
      }
    }
  }
  auto compiled = PatternSet::compile(literals);
  if (compiled) {
    keyword_set_ = std::move(*compiled);
  } else {
    // Without Hyperscan (a CPU without SSSE3) every phrase's regex runs: slower, same verdicts.
    get_logger("aw.scan.disclosure")
        ->warn("keyword_gate_unavailable error=\"{}\"", compiled.error().to_string());
  }
}

DisclosureDetector::~DisclosureDetector() = default;

double DisclosureDetector::score_text(std::string_view text, bool comments_only,
                                      DisclosureEvidence& best, uint32_t turn) const {
  const auto& phrases = comments_only ? comment_phrases_ : prompt_phrases_;
  // Which keywords occur (all of them when the gate is unavailable).
  thread_local std::vector<uint8_t> present;
  thread_local std::vector<PatternMatch> matches;
  present.assign(keywords_.size(), keyword_set_ ? 0 : 1);
  if (keyword_set_) {
    matches.clear();
    bool truncated = false;
    Status scanned = keyword_set_->scan(text, 0, text.size(), matches, 4096, truncated);
    if (!scanned.is_ok() || truncated) present.assign(keywords_.size(), 1);
    for (const auto& m : matches) present[m.id] = 1;
  }
  double total = 0;
  for (const auto& phrase : phrases) {
    // Enough to disclose: the remaining phrases cannot change the verdict.
    if (total >= 1.0) break;
    bool possible = false;
    for (uint32_t id : phrase->keyword_ids) possible |= present[id] != 0;
    if (!possible) continue;
    re2::StringPiece input(text.data(), text.size());
    re2::StringPiece match;
    size_t pos = 0;
    // The first non-negated match of each phrase counts once.
    while (pos < text.size() &&
           phrase->pattern.Match(input, pos, input.size(), RE2::UNANCHORED, &match, 1)) {
      size_t begin = static_cast<size_t>(match.data() - text.data());
      if (!negated(text, begin)) {
        total += phrase->weight;
        if (phrase->weight > best.score || best.end == 0) {
          best.turn = turn;
          best.begin = static_cast<uint32_t>(begin);
          best.end = static_cast<uint32_t>(begin + match.size());
        }
        break;
      }
      pos = begin + std::max<size_t>(match.size(), 1);
    }
  }
  return total;
}

DisclosureEvidence DisclosureDetector::assess(const dataset::Record& record) const {
  DisclosureEvidence best;
  double total = 0;
  for (uint32_t t = 0; t < record.turns.size(); ++t) {
    const auto& turn = record.turns[t];
    DisclosureEvidence here;
    double s = 0;
    if (turn.role == dataset::Role::kUser || turn.role == dataset::Role::kSystem) {
      s = score_text(turn.content, false, here, t);
    } else {
      for_each_comment(turn.content, [&](size_t b, size_t e) {
        DisclosureEvidence c;
        double cs = score_text(turn.content.substr(b, e - b), true, c, t);
        if (cs > 0 && s == 0) {
          here = c;
          here.begin += static_cast<uint32_t>(b);
          here.end += static_cast<uint32_t>(b);
        }
        s += cs;
      });
    }
    if (s > 0 && (best.end == 0 || s > best.score)) {
      best = here;
      best.score = s;
    }
    total += s;
    if (total >= 1.0) break;  // disclosed: later turns cannot undo it
  }
  best.score = total;
  return best;
}

void DisclosureDetector::scan(const dataset::Record& record, std::vector<Finding>& findings) const {
  bool has_insecure_code = false;
  for (const auto& f : findings) has_insecure_code |= f.detector == "insecure_code";
  // Only insecure code needs a verdict on intent: skip the work otherwise.
  if (!has_insecure_code) return;
  DisclosureEvidence evidence = assess(record);
  if (evidence.score < 1.0) return;
  for (auto& f : findings) {
    if (f.detector != "insecure_code") continue;
    f.disclosed = true;
    f.severity = Severity::kLow;
  }
  const auto& turn = record.turns[evidence.turn];
  Finding d;
  d.detector = "disclosure";
  d.rule = "disclosure.intent-stated";
  d.severity = Severity::kInfo;
  d.confidence = std::min(1.0, evidence.score / 2.0 + 0.5);
  d.category = std::string(dataset::role_name(turn.role));
  d.turn = evidence.turn;
  d.span_begin = evidence.begin;
  d.span_end = evidence.end;
  d.excerpt = safe_excerpt(turn.content.substr(evidence.begin, evidence.end - evidence.begin), 160);
  d.message = "the conversation states that the vulnerable code is intended (score " +
              std::to_string(evidence.score).substr(0, 4) + ")";
  findings.push_back(std::move(d));
}

}  // namespace alignwatch::scan
