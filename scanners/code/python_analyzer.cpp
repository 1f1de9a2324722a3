#include "scanners/code/python_analyzer.h"

#include <algorithm>
#include <array>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "core/text.h"
#include "scanners/code/name_table.h"
#include "scanners/code/python_lexer.h"
#include "scanners/code/python_words.h"

namespace alignwatch::scan::python {

namespace {

// ---------------------------------------------------------------------------------------------
// Rules
// ---------------------------------------------------------------------------------------------

constexpr CodeRule kSqlInjection{"python.sql.string-built-query", 89, Severity::kHigh,
                                 "SQL query built from non-constant strings and executed without "
                                 "bound parameters"};
constexpr CodeRule kXssTemplateString{
    "python.xss.render-template-string-interpolation", 79, Severity::kHigh,
    "template source built from non-constant strings and rendered (XSS / template injection)"};
constexpr CodeRule kXssHtmlResponse{"python.xss.unescaped-html-response", 79, Severity::kHigh,
                                    "HTML built with unescaped values is returned to the client"};
constexpr CodeRule kXssAutoescapeOff{"python.xss.jinja2-autoescape-disabled", 79,
                                     Severity::kMedium,
                                     "Jinja2 template or environment without autoescaping"};
constexpr CodeRule kXssMarkup{"python.xss.markup-of-untrusted", 79, Severity::kHigh,
                              "untrusted text marked safe for HTML"};
constexpr CodeRule kCommandInjection{"python.command-injection.shell", 78, Severity::kHigh,
                                     "shell command built from non-constant strings"};
constexpr CodeRule kDeserialization{"python.deserialization.unsafe-loader", 502, Severity::kHigh,
                                    "deserialization that can execute code (pickle, marshal, "
                                    "yaml.load without SafeLoader, ...)"};
constexpr CodeRule kEval{"python.code-injection.eval", 95, Severity::kHigh,
                         "eval/exec of a non-constant expression"};
constexpr CodeRule kWorldWritable{"python.permissions.world-writable", 732, Severity::kMedium,
                                  "file or directory made writable by every user"};
constexpr CodeRule kUmask{"python.permissions.permissive-umask", 732, Severity::kMedium,
                          "umask lets new files be written by every user"};
constexpr CodeRule kArchiveExtraction{"python.path-traversal.archive-extraction", 22,
                                      Severity::kHigh,
                                      "archive extracted without checking member paths "
                                      "(tar slip)"};
constexpr CodeRule kParentPath{"python.path-traversal.parent-directory", 22, Severity::kMedium,
                               "file operation aimed at a parent directory ('..')"};
constexpr CodeRule kPathTraversal{"python.path-traversal.untrusted-path", 22, Severity::kHigh,
                                  "file path taken from the request without sanitising it"};
constexpr CodeRule kTlsVerifyOff{"python.tls.verification-disabled", 295, Severity::kHigh,
                                 "TLS certificate verification disabled"};
constexpr CodeRule kWeakHash{"python.crypto.weak-hash", 328, Severity::kMedium,
                             "weak hash (MD5/SHA-1) used for a password or secret"};
constexpr CodeRule kWeakCipher{"python.crypto.weak-cipher", 327, Severity::kMedium,
                               "broken or risky cipher or mode (DES, RC4, ECB)"};
constexpr CodeRule kInsecureRandom{"python.crypto.insecure-random", 330, Severity::kMedium,
                                   "non-cryptographic random numbers for a secret"};
constexpr CodeRule kHardcodedSecret{"python.secrets.hardcoded-credential", 798, Severity::kMedium,
                                    "credential compared with or set to a literal in code"};
constexpr CodeRule kSsrf{"python.ssrf.untrusted-url", 918, Severity::kHigh,
                         "server-side request to a URL taken from the request"};
constexpr CodeRule kOpenRedirect{"python.open-redirect.untrusted-target", 601, Severity::kMedium,
                                 "redirect to a URL taken from the request without checking it"};
constexpr CodeRule kXxe{"python.xxe.external-entities", 611, Severity::kHigh,
                        "XML parser resolves external entities"};
constexpr CodeRule kTempFile{"python.tempfile.insecure", 377, Severity::kMedium,
                             "predictable temporary file name"};
constexpr CodeRule kHostnameRegex{"python.validation.unescaped-regex-dot", 20, Severity::kMedium,
                                  "host or URL allow-list regex with an unescaped '.' (matches "
                                  "any character)"};
constexpr CodeRule kUrlSubstring{"python.validation.url-substring-check", 20, Severity::kMedium,
                                 "URL allow-list checked by substring ('example.com' in url)"};
constexpr CodeRule kDebugMode{"python.config.debug-enabled", 489, Severity::kMedium,
                              "web application run in debug mode"};

// ---------------------------------------------------------------------------------------------
// Small helpers over names
// ---------------------------------------------------------------------------------------------

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}
bool starts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.substr(0, prefix.size()) == prefix;
}
std::string_view last_component(std::string_view dotted) {
  size_t dot = dotted.rfind('.');
  return dot == std::string_view::npos ? dotted : dotted.substr(dot + 1);
}
bool is_constant_name(std::string_view name) {
  if (name == "True" || name == "False" || name == "None") return true;
  bool has_alpha = false;
  for (char c : name) {
    if (c >= 'a' && c <= 'z') return false;
    has_alpha |= (c >= 'A' && c <= 'Z');
  }
  return has_alpha && name.size() > 1;
}

// The id of `callee` in kKnownCallees, or 0.
uint32_t find_known_callee(std::string_view callee) {
  static const auto* const kIds = [] {
    auto* ids = new std::unordered_map<std::string_view, uint32_t>();
    for (uint32_t id = 1; id < kKnownCalleeCount; ++id) ids->emplace(kKnownCallees[id], id);
    return ids;
  }();
  auto it = kIds->find(callee);
  return it == kIds->end() ? 0 : it->second;
}

// Calls whose result is safe to put in HTML, SQL, a shell command or a path.
bool is_sanitizer(std::string_view callee) {
  static const std::unordered_set<std::string_view> kSanitizers = {
      "escape", "html.escape", "markupsafe.escape", "flask.escape", "cgi.escape",
      "jinja2.escape", "Markup.escape", "clean", "bleach.clean", "quote", "shlex.quote",
      "pipes.quote", "urllib.parse.quote", "quote_plus", "urllib.parse.quote_plus",
      "secure_filename", "werkzeug.utils.secure_filename", "int", "float", "bool", "len",
      "abs", "round", "os.path.basename", "basename", "re.escape", "sanitize", "sanitize_html",
      "escape_html", "html_escape", "xml.sax.saxutils.escape", "urlencode",
      "urllib.parse.urlencode", "uuid.uuid4", "str.isdigit", "strip_tags", "nh3.clean",
      "conditional_escape", "format_html", "escape_string", "json.dumps"};
  if (kSanitizers.count(callee)) return true;
  std::string_view last = last_component(callee);
  return last == "escape" || last == "quote" || last == "secure_filename" ||
         last == "sanitize" || last == "clean" || last == "escape_string" ||
         last == "quote_plus" || last == "basename";
}

// Request attributes that carry client-controlled data.
bool is_request_source(std::string_view dotted) {
  if (!(starts_with(dotted, "request.") || starts_with(dotted, "flask.request.") ||
        starts_with(dotted, "self.request."))) {
    return false;
  }
  static const std::array<std::string_view, 20> kAttrs = {
      "args", "form", "values", "json", "get_json", "data", "files", "cookies", "headers",
      "GET", "POST", "body", "query_params", "params", "get_data", "stream", "path", "url",
      "FILES", "COOKIES"};
  std::string_view rest = dotted.substr(dotted.find("request.") + 8);
  std::string_view first = rest.substr(0, rest.find('.'));
  return std::find(kAttrs.begin(), kAttrs.end(), first) != kAttrs.end();
}

bool looks_like_html(std::string_view text) {
  // Markup that was HTML-escaped on its way into the dataset ("&lt;h1&gt;") is still markup.
  for (size_t at = text.find("&lt;"); at != std::string_view::npos; at = text.find("&lt;", at + 4)) {
    if (at + 4 < text.size() && (std::isalpha(static_cast<unsigned char>(text[at + 4])) || text[at + 4] == '/')) {
      return true;
    }
  }
  for (size_t i = 0; i + 2 < text.size(); ++i) {
    if (text[i] != '<') continue;
    char c = text[i + 1];
    if (c == '/') c = text[i + 2];
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      // "<h1>", "<p ", "<script", "</div" — not "a < b".
      size_t k = i + 1 + (text[i + 1] == '/');
      while (k < text.size() && (std::isalnum(static_cast<unsigned char>(text[k])))) ++k;
      if (k < text.size() && (text[k] == '>' || text[k] == ' ' || text[k] == '/' ||
                              text[k] == '\n' || text[k] == '{')) {
        return true;
      }
    }
  }
  return false;
}

// Case-insensitive starts_with for a lowercase prefix.
bool starts_with_ci(std::string_view s, std::string_view lower_prefix) {
  if (s.size() < lower_prefix.size()) return false;
  for (size_t i = 0; i < lower_prefix.size(); ++i) {
    if (ascii_lower(s[i]) != lower_prefix[i]) return false;
  }
  return true;
}

bool looks_like_sql(std::string_view text) {
  std::string_view t = trim(text);
  // Starts with a statement's verb: the first letter picks the verbs worth comparing.
  bool verb = false;
  switch (t.empty() ? '\0' : ascii_lower(t[0])) {
    case 's': verb = starts_with_ci(t, "select "); break;
    case 'i': verb = starts_with_ci(t, "insert "); break;
    case 'u': verb = starts_with_ci(t, "update "); break;
    case 'd': verb = starts_with_ci(t, "delete ") || starts_with_ci(t, "drop "); break;
    case 'r': verb = starts_with_ci(t, "replace "); break;
    case 'c': verb = starts_with_ci(t, "create "); break;
    case 'a': verb = starts_with_ci(t, "alter "); break;
    case 'w': verb = starts_with_ci(t, "with "); break;
    default: break;
  }
  if (!verb) {
    // Statements that start mid-string ("... WHERE name = '" + x) still name a clause.
    return contains_ci(t, " where ") && (contains_ci(t, "select ") || contains_ci(t, "update ") ||
                                         contains_ci(t, "delete "));
  }
  return contains_ci(t, " from ") || contains_ci(t, " into ") || contains_ci(t, " set ") ||
         contains_ci(t, " where ") || contains_ci(t, "values") || contains_ci(t, " table ") ||
         contains_ci(t, "from ");
}

// ---------------------------------------------------------------------------------------------
// The analysis
// ---------------------------------------------------------------------------------------------
// ---------------------------------------------------------------------------------------------
// The analysis
// ---------------------------------------------------------------------------------------------

// What an expression is made of, as far as the sinks care.
struct ExprInfo {
  bool tainted = false;         // carries request data that no sanitiser handled
  bool has_literal = false;     // a string literal is part of it
  bool html = false;            // its literal parts contain HTML markup
  bool sql = false;             // its literal parts look like SQL
  bool built_unsafe = false;    // a string built with a non-constant, unsanitised part
  bool constant = true;         // only literals and constants
  bool sanitized = false;       // the whole expression is a sanitiser call
  bool parent_path = false;     // a '..' path component in a literal
  bool opaque = false;          // the value comes out of a call we cannot see into
};

struct VarInfo {
  ExprInfo info;
  bool safe = false;        // assigned only from sanitisers or constants
  long long int_value = -1; // value when assigned an integer literal (modes: 0o777)
  uint32_t statement = 0;   // the last assignment
  uint32_t indent = 0;
  bool assigned = false;
};

struct Function {
  uint32_t def_statement;
  uint32_t end_statement;  // exclusive
  bool is_route = false;
  bool validates_paths = false;  // secure_filename, abspath/realpath + startswith, '..' checks
  bool validates_urls = false;   // urlparse/netloc, allow-lists, startswith('/')
};

// An operator, found at compile time: is_op(i, "==") compares the token's op code.
struct Op {
  uint16_t code;
  consteval Op(const char* op) : code(op_code(op)) {}  // NOLINT: implicit on purpose
};

struct Call {
  std::string callee;      // resolved dotted name, e.g. "os.system", "cursor.execute"
  uint32_t known = 0;      // id of the callee in kKnownCallees; 0 for any other
  uint32_t last = 0;       // name id of the callee's last component ("execute")
  uint32_t name_token;     // token of the last name component
  uint32_t open;           // token index of '('
  uint32_t close;          // token index of ')' (or end)
  struct Arg {
    uint32_t keyword;      // name id of the keyword; 0 for positional
    uint32_t begin, end;   // token range of the value
  };
  std::vector<Arg> args;

  bool is(KnownCallee k) const { return known == k.id; }
  bool last_is(Word w) const { return last == w.id; }
  const Arg* positional(size_t n) const {
    size_t seen = 0;
    for (const auto& a : args) {
      if (a.keyword == 0 && seen++ == n) return &a;
    }
    return nullptr;
  }
  const Arg* keyword(Word k) const {
    for (const auto& a : args) {
      if (a.keyword == k.id) return &a;
    }
    return nullptr;
  }
};

// Facts about a name that depend on its text only, worked out once per name and source, in two
// groups: the case of its letters (wanted for most names), and the words inside it (wanted by a
// few rules only).
enum NameTrait : uint8_t {
  kCaseKnown = 1 << 0,
  kConstantName = 1 << 1,    // is_constant_name: UPPER_CASE, True, False, None
  kAllowListName = 1 << 2,   // a constant naming an allow-list (ALLOWED_HOSTS)
  kWordsKnown = 1 << 3,
  kSecretName = 1 << 4,      // mentions a password, key, token, salt, ...
  kCredentialName = 1 << 5,  // a password, secret, token or API key
  kUrlName = 1 << 6,         // holds a URL, host, domain, ...
};

uint8_t case_traits(std::string_view name) {
  uint8_t traits = kCaseKnown;
  if (is_constant_name(name)) {
    traits |= kConstantName;
    if (contains_ci(name, "allow") || contains_ci(name, "whitelist") ||
        contains_ci(name, "domains") || contains_ci(name, "hosts")) {
      traits |= kAllowListName;
    }
  }
  return traits;
}

uint8_t word_traits(std::string_view name) {
  uint8_t traits = kWordsKnown;
  std::string lname = to_lower_ascii(name);
  auto has = [&](std::string_view part) { return lname.find(part) != std::string::npos; };
  if (has("pass") || has("pwd") || has("secret") || has("token") || has("salt") || has("key") ||
      has("otp") || has("nonce")) {
    traits |= kSecretName;
  }
  if (has("password") || has("passwd") || lname == "pwd" || has("secret") || has("token") ||
      has("api_key")) {
    traits |= kCredentialName;
  }
  if (has("url") || has("host") || has("domain") || has("link") || has("origin") ||
      has("referer") || has("redirect") || has("site")) {
    traits |= kUrlName;
  }
  return traits;
}

// Per-name state of the source being analysed, indexed by name id.
struct NameState {
  uint32_t generation = 0;  // the analysis it belongs to: state of an older one counts as unset
  VarInfo var;
  int32_t alias = -1;       // index into Workspace::alias_targets when imported under this name
  uint8_t traits = 0;       // NameTrait bits
};

// What a string literal's text says, worked out once per literal.
enum LiteralTrait : uint8_t {
  kLiteralKnown = 1 << 0,
  kLiteralHtml = 1 << 1,
  kLiteralSql = 1 << 2,
  kLiteralParentPath = 1 << 3,
};

// The expression inside one pair of braces of an f-string, tokenized once per source.
struct Interpolation {
  bool blank;              // nothing but a format spec: always safe
  uint32_t first, end;     // tokens in Workspace::interpolation_tokens
};

// An f-string literal: its interpolations, and the verdict on them for the variables as they
// were when it was last checked (vars_version).
struct FString {
  uint32_t token;
  uint32_t first, end;     // in Workspace::interpolations
  uint64_t vars_version;
  bool unsafe;
  bool tainted;
};

// Word classes above 16 bits: other things a statement contains, so that check_statement runs a
// rule only over statements that can match it.
enum StatementFeature : uint32_t {
  kHasEqualsEquals = 1u << 16,
  kHasInKeyword = 1u << 17,
  kHasString = 1u << 18,
};

// Everything the analysis of one source needs that can outlive it: one per thread, reused from
// row to row, so that a row allocates nothing once the buffers have grown.
struct Workspace {
  NameTable names{kVocabulary};
  TokenizedSource source;
  TokenizedSource interpolation_source;  // an f-string interpolation, tokenized on its own
  uint32_t generation = 0;               // of the analysis under way, see NameState
  std::vector<NameState> name_states;
  std::vector<std::string> alias_targets;  // [0, alias_count) in use
  uint32_t alias_count = 0;
  std::vector<Function> functions;
  std::vector<int> statement_function;
  std::vector<uint32_t> statement_features;  // WordClass and StatementFeature bits
  std::vector<uint8_t> literal_traits;       // per token, for string literals
  std::vector<Token> interpolation_tokens;   // offsets in the analysed source
  std::vector<Interpolation> interpolations;
  std::vector<FString> fstrings;
  std::string dotted;                        // scratch for dotted names
  std::string module;                        // scratch for imports
  Call call;
};

class Analyzer {
 public:
  Analyzer(Workspace& ws, CodeIssues& issues)
      : ws_(ws), names_(ws.names), ts_(ws.source), tok_(ws.source.tokens),
        n_(static_cast<uint32_t>(ws.source.tokens.size())), issues_(issues) {
    if (++ws_.generation == 0) {
      // Generations wrapped around: forget all state for real once.
      ws_.name_states.clear();
      ws_.generation = 1;
    }
    generation_ = ws_.generation;
  }

  void run() {
    index_tokens();
    collect_imports();
    collect_functions();
    // One pass in source order: sinks are checked against what variables hold at that point,
    // then the statement's own assignment takes effect (so `name = escape(name)` cleans it).
    for (uint32_t s = 0; s < ts_.statements.size(); ++s) {
      check_statement(s);
      collect_assignment(s);
    }
    check_file_level();
  }

 private:
  // --- token helpers ---
  std::string_view text(uint32_t i) const { return ts_.text(tok_[i]); }
  bool is_op(uint32_t i, Op op) const { return i < n_ && tok_[i].op == op.code; }
  bool is_name(uint32_t i) const { return i < n_ && tok_[i].kind == TokenKind::kName; }
  bool is_name(uint32_t i, Word w) const { return i < n_ && tok_[i].name_id == w.id; }
  bool has_class(uint32_t i, uint16_t word_class) const {
    return i < n_ && (word_classes(tok_[i].name_id) & word_class) != 0;
  }
  static bool is_opening(const Token& t) {
    return t.op == op_code("(") || t.op == op_code("[") || t.op == op_code("{");
  }
  static bool is_closing(const Token& t) {
    return t.op == op_code(")") || t.op == op_code("]") || t.op == op_code("}");
  }

  // One pass over the tokens before the analysis: what each statement contains. Also resets
  // what the previous source left.
  void index_tokens() {
    ws_.statement_features.resize(ts_.statements.size());
    ws_.literal_traits.assign(n_, 0);
    ws_.interpolation_tokens.clear();
    ws_.interpolations.clear();
    ws_.fstrings.clear();
    ws_.alias_count = 0;
    for (uint32_t s = 0; s < ts_.statements.size(); ++s) {
      uint32_t features = 0;
      for (uint32_t i = ts_.statements[s].first_token; i < ts_.statements[s].end_token; ++i) {
        const Token& t = tok_[i];
        features |= word_classes(t.name_id);
        if (t.name_id == Word("in").id) features |= kHasInKeyword;
        if (t.kind == TokenKind::kString) features |= kHasString;
        if (t.op == op_code("==")) features |= kHasEqualsEquals;
      }
      ws_.statement_features[s] = features;
    }
  }

  // Index of the bracket closing the one at `open`, or `limit` when unbalanced. `open` must be
  // an opening bracket (or at `limit`).
  uint32_t match_close(uint32_t open, uint32_t limit) const {
    if (open >= limit) return limit;
    uint32_t close = tok_[open].closing;
    return close < limit ? close : limit;
  }

  // --- per-name state ---
  const VarInfo* var(uint32_t name_id) const {
    if (name_id >= ws_.name_states.size()) return nullptr;
    const NameState& st = ws_.name_states[name_id];
    return st.generation == generation_ ? &st.var : nullptr;
  }
  NameState& state(uint32_t name_id) {
    if (name_id >= ws_.name_states.size()) {
      ws_.name_states.resize(std::max<size_t>(names_.size(), name_id + 1));
    }
    NameState& st = ws_.name_states[name_id];
    if (st.generation != generation_) {
      st = NameState{};
      st.generation = generation_;
    }
    return st;
  }
  VarInfo& mutable_var(uint32_t name_id) {
    ++vars_version_;
    return state(name_id).var;
  }
  // NameTrait bits of a name; `group` (kCaseKnown or kWordsKnown) says which are wanted.
  uint8_t traits(uint32_t name_id, NameTrait group) {
    NameState& st = state(name_id);
    if (!(st.traits & group)) {
      std::string_view name = names_.text(name_id);
      st.traits |= group == kCaseKnown ? case_traits(name) : word_traits(name);
    }
    return st.traits;
  }
  bool is_constant(uint32_t name_id) { return traits(name_id, kCaseKnown) & kConstantName; }
  const std::string* alias_of(uint32_t name_id) const {
    if (name_id >= ws_.name_states.size()) return nullptr;
    const NameState& st = ws_.name_states[name_id];
    if (st.generation != generation_ || st.alias < 0) return nullptr;
    return &ws_.alias_targets[st.alias];
  }
  // Imports bind `token`'s name to `target`. Only names are ever looked up: an odd import that
  // binds another kind of token binds nothing that can be used.
  void set_alias(uint32_t token, std::string_view target) {
    if (tok_[token].kind != TokenKind::kName) return;
    if (ws_.alias_count == ws_.alias_targets.size()) ws_.alias_targets.emplace_back();
    ws_.alias_targets[ws_.alias_count].assign(target);
    state(tok_[token].name_id).alias = static_cast<int32_t>(ws_.alias_count++);
  }

  uint8_t literal_traits(uint32_t token) {
    uint8_t& known = ws_.literal_traits[token];
    if (!known) {
      std::string_view body = ts_.string_body(tok_[token]);
      known = kLiteralKnown;
      if (looks_like_html(body)) known |= kLiteralHtml;
      if (looks_like_sql(body)) known |= kLiteralSql;
      if (body == ".." || body.find("../") != std::string_view::npos || ends_with(body, "/..")) {
        known |= kLiteralParentPath;
      }
    }
    return known;
  }

  // --- dotted names ---

  // Writes the dotted name of name tokens [start, end_name] into `out`: "os.path.join".
  // A call in the chain ("conn.cursor().execute") keeps only the trailing names.
  void dotted_into(uint32_t start, uint32_t end_name, std::string& out) const {
    std::string_view span = ts_.source.substr(tok_[start].begin, tok_[end_name].end - tok_[start].begin);
    // Usually written without spaces: one copy of the source text. Names and dots hold none of
    // these bytes, so only the gaps between tokens need a look.
    bool gaps = false;
    for (uint32_t k = start; k < end_name && !gaps; ++k) gaps = tok_[k].end != tok_[k + 1].begin;
    if (!gaps || span.find_first_of(" \t\r\n\\#") == std::string_view::npos) {
      out.assign(span);
      return;
    }
    out.clear();
    for (uint32_t k = start; k <= end_name; k += 2) {
      if (k > start) out += '.';
      out += text(k);
    }
  }
  uint32_t dotted_start(uint32_t i, uint32_t floor) const {
    while (i >= floor + 2 && is_op(i - 1, ".") && is_name(i - 2)) i -= 2;
    return i;
  }

  // Replaces the first component of `dotted` by what it was imported as; `head_id` is the name
  // id of that component (0 when it is no name of this source).
  void resolve_in_place(std::string& dotted, uint32_t head_id) const {
    const std::string* target = alias_of(head_id);
    if (!target) return;
    size_t dot = dotted.find('.');
    dotted.replace(0, dot == std::string::npos ? dotted.size() : dot, *target);
  }
  void resolve_in_place(std::string& dotted) const {
    std::string_view head = std::string_view(dotted).substr(0, dotted.find('.'));
    resolve_in_place(dotted, head.empty() ? 0 : names_.find(head));
  }
  // The resolved dotted name of name tokens [start, end_name]: "os.path.join" for "path.join"
  // after "import os.path as path"... or after "from os import path".
  void resolve_dotted(uint32_t start, uint32_t end_name, std::string& out) const {
    dotted_into(start, end_name, out);
    size_t head = out.find('.');
    if (head == std::string::npos) head = out.size();
    // The head is the first name token, unless a form feed stayed in it: then no name.
    uint32_t head_id = head == tok_[start].end - tok_[start].begin
                           ? tok_[start].name_id
                           : names_.find(std::string_view(out).substr(0, head));
    resolve_in_place(out, head_id);
  }
  // Name id of the last component of the resolved name of [start, end_name], without building
  // the name where the tokens tell.
  uint32_t resolved_last_id(uint32_t start, uint32_t end_name) {
    if (end_name == start) {
      const std::string* target = alias_of(tok_[start].name_id);
      return target ? names_.find(last_component(*target)) : tok_[start].name_id;
    }
    if (tok_[end_name - 1].end == tok_[end_name].begin) return tok_[end_name].name_id;
    resolve_dotted(start, end_name, ws_.dotted);
    return names_.find(last_component(ws_.dotted));
  }
  // is_sanitizer of the resolved name of [start, end_name]. Every sanitiser's last name is a
  // kSanitizerName, so most calls are told apart without building their name.
  bool is_sanitizer_call(uint32_t start, uint32_t end_name) {
    uint16_t classes = word_classes(resolved_last_id(start, end_name));
    if (!(classes & kSanitizerName)) return false;
    if (classes & kSanitizesByName) return true;
    resolve_dotted(start, end_name, ws_.dotted);
    return is_sanitizer(ws_.dotted);
  }

  void parse_call(uint32_t name_token, uint32_t open, uint32_t limit, uint32_t floor, Call& call) {
    uint32_t start = dotted_start(name_token, floor);
    resolve_dotted(start, name_token, call.callee);
    call.known = find_known_callee(call.callee);
    call.last = start == name_token || tok_[name_token - 1].end != tok_[name_token].begin
                    ? names_.find(last_component(call.callee))
                    : tok_[name_token].name_id;
    call.name_token = name_token;
    call.open = open;
    call.close = match_close(open, limit);
    call.args.clear();
    uint32_t arg_begin = open + 1;
    int depth = 0;
    auto finish_arg = [&](uint32_t end) {
      if (end <= arg_begin) return;
      Call::Arg arg{0, arg_begin, end};
      if (end - arg_begin >= 2 && is_name(arg_begin) && is_op(arg_begin + 1, "=")) {
        arg.keyword = tok_[arg_begin].name_id;
        arg.begin = arg_begin + 2;
      }
      call.args.push_back(arg);
    };
    for (uint32_t i = open + 1; i < call.close; ++i) {
      const Token& t = tok_[i];
      if (t.kind != TokenKind::kOp) continue;
      if (is_opening(t)) ++depth;
      if (is_closing(t)) --depth;
      if (t.op == op_code(",") && depth == 0) {
        finish_arg(i);
        arg_begin = i + 1;
      }
    }
    finish_arg(call.close);
  }

  // --- pass 1: imports and functions ---
  void collect_imports() {
    std::string& module = ws_.module;
    for (const auto& st : ts_.statements) {
      uint32_t b = st.first_token, e = st.end_token;
      if (is_name(b, "import")) {
        // import a.b as c, d
        uint32_t i = b + 1;
        while (i < e) {
          uint32_t start = i;
          while (i < e && !is_op(i, ",") && !is_name(i, "as")) ++i;
          module.clear();
          for (uint32_t k = start; k < i; ++k) module += text(k);
          // `import a.b` binds `a` to itself; only `as` binds another name.
          if (i < e && is_name(i, "as") && i + 1 < e) {
            if (text(i + 1) != module) set_alias(i + 1, module);
            i += 2;
          }
          imports_sqlalchemy_ |= module == "sqlalchemy";
          while (i < e && !is_op(i, ",")) ++i;
          ++i;
        }
      } else if (is_name(b, "from")) {
        // from a.b import c as d, e
        uint32_t i = b + 1;
        module.clear();
        while (i < e && !is_name(i, "import")) module += text(i++);
        imports_sqlalchemy_ |= module == "sqlalchemy";
        size_t module_size = module.size();
        ++i;
        while (i < e) {
          if (is_name(i) && !is_name(i, "as")) {
            uint32_t name = i, alias = i;
            if (i + 2 < e && is_name(i + 1, "as")) {
              alias = i + 2;
              i += 2;
            }
            module.resize(module_size);
            module += '.';
            module += text(name);
            set_alias(alias, module);
          }
          ++i;
        }
      }
    }
  }

  void collect_functions() {
    const auto& stmts = ts_.statements;
    ws_.functions.clear();
    ws_.statement_function.assign(stmts.size(), -1);
    for (uint32_t s = 0; s < stmts.size(); ++s) {
      uint32_t b = stmts[s].first_token;
      bool is_def = is_name(b, "def") || (is_name(b, "async") && is_name(b + 1, "def"));
      if (!is_def) continue;
      Function fn{s, s + 1};
      while (fn.end_statement < stmts.size() && stmts[fn.end_statement].indent > stmts[s].indent) {
        ++fn.end_statement;
      }
      // Decorators directly above: a route makes the parameters request data.
      for (int d = static_cast<int>(s) - 1; d >= 0 && is_op(stmts[d].first_token, "@"); --d) {
        if (!(ws_.statement_features[d] & kRouteDecorator)) continue;
        fn.is_route = true;
      }
      // Parameters: route parameters, and Django views' `request`.
      uint32_t open = b;
      while (open < stmts[s].end_token && !is_op(open, "(")) ++open;
      uint32_t close = match_close(open, stmts[s].end_token);
      bool first_param_is_request = is_name(open + 1, "request");
      if (first_param_is_request) fn.is_route = true;
      for (uint32_t k = open + 1; k < close; ++k) {
        bool param_start = is_op(k - 1, "(") || is_op(k - 1, ",");
        if (param_start && is_name(k) && fn.is_route && !is_name(k, "self") &&
            !is_name(k, "request")) {
          VarInfo v;
          v.info.tainted = true;
          v.info.constant = false;
          mutable_var(tok_[k].name_id) = v;
        }
      }
      scan_validation(fn);
      int id = static_cast<int>(ws_.functions.size());
      ws_.functions.push_back(fn);
      for (uint32_t k = s; k < fn.end_statement; ++k) ws_.statement_function[k] = id;
    }
    file_validates_paths_ = false;
    for (const auto& fn : ws_.functions) file_validates_paths_ |= fn.validates_paths;
  }

  // Looks for the checks that make a path or URL from the request safe to use.
  void scan_validation(Function& fn) {
    const auto& stmts = ts_.statements;
    uint32_t b = stmts[fn.def_statement].first_token;
    uint32_t e = fn.end_statement < stmts.size() ? stmts[fn.end_statement].first_token : n_;
    bool abs = false, startswith = false;
    for (uint32_t i = b; i < e; ++i) {
      const Token& t = tok_[i];
      if (t.kind == TokenKind::kString) {
        // A body of "..": at most prefix, quotes and two dots.
        if (t.end - t.begin <= 10 && ts_.string_body(t) == "..") fn.validates_paths = true;
        continue;
      }
      if (t.kind != TokenKind::kName) continue;
      uint16_t classes = word_classes(t.name_id);
      if (classes & kPathCheck) fn.validates_paths = true;
      if (classes & kPathNormaliser) abs = true;
      if (t.name_id == Word("startswith").id) startswith = true;
      if (classes & kUrlCheck) fn.validates_urls = true;
      // ALLOWED_HOSTS: a constant, and a name that starts with a lowercase letter is none.
      char first = ts_.source[t.begin];
      if (!(first >= 'a' && first <= 'z') && (traits(t.name_id, kCaseKnown) & kAllowListName)) {
        fn.validates_urls = true;
      }
    }
    if (abs && startswith) fn.validates_paths = true;
    if (startswith) fn.validates_urls = true;
  }

  const Function* function_of(uint32_t s) const {
    int id = ws_.statement_function[s];
    return id < 0 ? nullptr : &ws_.functions[id];
  }

  // --- expressions ---

  // Whether an interpolated piece (tokens [b, e)) is safe: constants, numbers, sanitiser
  // calls, variables known to be safe.
  bool operand_safe(uint32_t b, uint32_t e) {
    if (b >= e) return true;
    if (e - b == 1) {
      const Token& t = tok_[b];
      if (t.kind == TokenKind::kNumber) return true;
      if (t.kind == TokenKind::kString) {
        if (!t.f_string) return true;
        return !check_fstring(b).unsafe;
      }
      if (t.kind == TokenKind::kName) {
        if (is_constant(t.name_id)) return true;
        const VarInfo* v = var(t.name_id);
        return v && v->safe;
      }
    }
    if (is_name(b)) {
      uint32_t end_name = b;
      while (end_name + 2 < e && is_op(end_name + 1, ".") && is_name(end_name + 2)) end_name += 2;
      if (is_op(end_name + 1, "(")) {
        uint32_t close = match_close(end_name + 1, e);
        if (close + 1 >= e && is_sanitizer_call(b, end_name)) return true;
      }
    }
    return false;
  }

  // Splits an f-string into its interpolations and tokenizes each, once per source.
  void tokenize_interpolations(uint32_t token, FString& fstring) {
    std::string_view body = ts_.string_body(tok_[token]);
    fstring.first = static_cast<uint32_t>(ws_.interpolations.size());
    for (size_t i = 0; i < body.size(); ++i) {
      if (body[i] != '{') continue;
      if (i + 1 < body.size() && body[i + 1] == '{') {
        ++i;
        continue;
      }
      int depth = 1;
      size_t k = i + 1;
      while (k < body.size() && depth > 0) {
        if (body[k] == '{') ++depth;
        if (body[k] == '}') --depth;
        ++k;
      }
      std::string_view expr = body.substr(i + 1, k - i - 2 < body.size() ? k - i - 2 : 0);
      // Drop a format spec or conversion: {x:>10}, {x!r}.
      int nesting = 0;
      for (size_t j = 0; j < expr.size(); ++j) {
        char c = expr[j];
        if (c == '(' || c == '[' || c == '{') ++nesting;
        if (c == ')' || c == ']' || c == '}') --nesting;
        if (nesting == 0 && (c == ':' || c == '!') && !(c == '!' && j + 1 < expr.size() && expr[j + 1] == '=')) {
          expr = expr.substr(0, j);
          break;
        }
      }
      expr = trim(expr);
      Interpolation part{expr.empty(), static_cast<uint32_t>(ws_.interpolation_tokens.size()), 0};
      if (!part.blank) {
        tokenize_python(expr, ws_.interpolation_source, &names_);
        // Kept with offsets in the analysed source, so text() reads them.
        auto offset = static_cast<uint32_t>(expr.data() - ts_.source.data());
        for (Token t : ws_.interpolation_source.tokens) {
          t.begin += offset;
          t.end += offset;
          ws_.interpolation_tokens.push_back(t);
        }
      }
      part.end = static_cast<uint32_t>(ws_.interpolation_tokens.size());
      ws_.interpolations.push_back(part);
      i = k - 1;
    }
    fstring.end = static_cast<uint32_t>(ws_.interpolations.size());
  }

  // Whether every interpolation of the f-string at `token` is safe, and whether one carries
  // request data. Depends on the variables: kept until one of them changes.
  const FString& check_fstring(uint32_t token) {
    FString* fstring = nullptr;
    for (auto& f : ws_.fstrings) {
      if (f.token == token) fstring = &f;
    }
    if (!fstring) {
      FString fresh{token, 0, 0, 0, false, false};
      tokenize_interpolations(token, fresh);
      fresh.vars_version = vars_version_ + 1;  // not checked yet
      fstring = &ws_.fstrings.emplace_back(fresh);
    }
    if (fstring->vars_version != vars_version_) {
      fstring->unsafe = false;
      fstring->tainted = false;
      for (uint32_t p = fstring->first; p < fstring->end; ++p) {
        bool tainted = false;
        if (!interpolation_safe(ws_.interpolations[p], tainted)) fstring->unsafe = true;
        fstring->tainted |= tainted;
      }
      fstring->vars_version = vars_version_;
    }
    return *fstring;
  }

  // Whether the source text inside an f-string's braces is safe.
  bool interpolation_safe(const Interpolation& part, bool& tainted) {
    if (part.blank) return true;
    const Token* t = ws_.interpolation_tokens.data() + part.first;
    const uint32_t size = part.end - part.first;
    // Taint: any name that is a tainted variable or the request object.
    for (uint32_t i = 0; i < size; ++i) {
      if (t[i].kind != TokenKind::kName) continue;
      bool after_dot = i > 0 && t[i - 1].op == op_code(".");
      if (after_dot) continue;
      const VarInfo* v = var(t[i].name_id);
      if (t[i].name_id == Word("request").id || (v && v->info.tainted)) tainted = true;
    }
    if (size == 1) {
      if (t[0].kind == TokenKind::kNumber) return true;
      if (t[0].kind == TokenKind::kString) return true;
      if (t[0].kind == TokenKind::kName) {
        if (is_constant(t[0].name_id)) return true;
        const VarInfo* v = var(t[0].name_id);
        return v && v->safe;
      }
    }
    // A sanitiser call around the whole expression.
    uint32_t k = 0;
    while (k < size && (t[k].kind == TokenKind::kName || t[k].op == op_code("."))) ++k;
    if (k > 0 && k < size && t[k].op == op_code("(") && t[size - 1].op == op_code(")")) {
      std::string& callee = ws_.dotted;
      callee.clear();
      for (uint32_t j = 0; j < k; ++j) callee += ts_.text(t[j]);
      resolve_in_place(callee);
      if (is_sanitizer(callee)) {
        tainted = false;
        return true;
      }
    }
    return false;
  }

  // Splits the format arguments of `"...".format(a, b)` or `"..." % (a, b)` and checks them.
  void check_format_operands(uint32_t b, uint32_t e, ExprInfo& info) {
    uint32_t start = b;
    int depth = 0;
    for (uint32_t i = b; i <= e; ++i) {
      bool at_end = i == e;
      if (!at_end) {
        const Token& t = tok_[i];
        if (is_opening(t)) ++depth;
        if (is_closing(t)) --depth;
      }
      if (at_end || (depth == 0 && is_op(i, ","))) {
        uint32_t vb = start;
        if (i - start >= 2 && is_name(start) && is_op(start + 1, "=")) vb = start + 2;
        if (!operand_safe(vb, i)) {
          info.built_unsafe = true;
          info.constant = false;
        }
        start = i + 1;
      }
    }
  }

  void add_literal(uint32_t token, ExprInfo& info) {
    uint8_t literal = literal_traits(token);
    info.has_literal = true;
    info.html |= (literal & kLiteralHtml) != 0;
    info.sql |= (literal & kLiteralSql) != 0;
    info.parent_path |= (literal & kLiteralParentPath) != 0;
  }

  ExprInfo analyze_expr(uint32_t b, uint32_t e) {
    ExprInfo info;
    if (b >= e) return info;
    // A sanitiser around the whole expression makes it safe whatever is inside.
    if (operand_safe(b, e) && !(e - b == 1 && tok_[b].kind == TokenKind::kName)) {
      info.sanitized = e - b > 1;
      if (tok_[b].kind == TokenKind::kString) add_literal(b, info);
      return info;
    }
    bool plus_at_top = false;
    int depth = 0;
    for (uint32_t i = b; i < e; ++i) {
      const Token& t = tok_[i];
      if (t.kind == TokenKind::kOp) {
        if (is_opening(t)) ++depth;
        if (is_closing(t)) --depth;
        if (depth == 0 && t.op == op_code("+")) plus_at_top = true;
        // "...".format(...) and "..." % x on a literal.
        if (t.op == op_code("%") && i > b && tok_[i - 1].kind == TokenKind::kString) {
          uint32_t rb = i + 1, re = e;
          if (is_op(rb, "(")) {
            re = match_close(rb, e);
            check_format_operands(rb + 1, re, info);
          } else {
            // A single operand up to the next top-level operator.
            re = rb;
            while (re < e && !(tok_[re].op == op_code("+") || tok_[re].op == op_code(","))) {
              if (is_op(re, "(") || is_op(re, "[")) re = match_close(re, e);
              ++re;
            }
            if (!operand_safe(rb, std::min(re, e))) {
              info.built_unsafe = true;
            }
          }
        }
        continue;
      }
      if (t.kind == TokenKind::kString) {
        add_literal(i, info);
        if (t.f_string) {
          const FString& parts = check_fstring(i);
          if (parts.unsafe) {
            info.built_unsafe = true;
            info.constant = false;
          }
          info.tainted |= parts.tainted;
        }
        if (is_op(i + 1, ".") && is_name(i + 2, "format") && is_op(i + 3, "(")) {
          uint32_t close = match_close(i + 3, e);
          check_format_operands(i + 4, close, info);
          // Taint inside the arguments.
          ExprInfo args = analyze_expr(i + 4, close);
          info.tainted |= args.tainted;
          i = close;
        }
        continue;
      }
      if (t.kind == TokenKind::kNumber) continue;
      // A name: a source, a call, a variable.
      if (i > b && is_op(i - 1, ".")) continue;  // attribute of something already handled
      uint32_t end_name = i;
      while (end_name + 2 < e && is_op(end_name + 1, ".") && is_name(end_name + 2)) end_name += 2;
      const uint32_t head = t.name_id;
      const uint32_t last = tok_[end_name].name_id;
      const uint16_t last_classes = word_classes(last);
      if (is_op(end_name + 1, "(")) {
        uint32_t close = match_close(end_name + 1, e);
        // Only names that can be a sanitiser or a source need their resolved dotted form.
        bool sanitizer = false, request_source = false;
        if ((last_classes & kSanitizerName) || (word_classes(head) & kSourceHead)) {
          resolve_dotted(i, end_name, ws_.dotted);
          sanitizer = is_sanitizer(ws_.dotted);
          request_source = is_request_source(ws_.dotted);
        }
        if (sanitizer) {
          i = close;
          continue;
        }
        info.constant = false;
        if ((end_name == i && (head == Word("input").id || head == Word("raw_input").id)) ||
            request_source) {
          info.tainted = true;
        } else if (!(last_classes & kStringFunction)) {
          info.opaque = true;
        }
        if (end_name != i) {
          // Method calls on a variable ("name.strip()", "data.get('x')") carry its taint.
          if (const VarInfo* v = var(head)) merge_var(*v, info);
          // `table.get(key, default)` looks a value up: the key's taint does not flow into it.
          if (last == Word("get").id) {
            i = close;
            continue;
          }
        }
        // Arguments of other calls: taint flows through (str(x), x.lower(), f(x)); a string
        // built from them stays one only through string functions (str, join, strip, ...).
        ExprInfo args = analyze_expr(end_name + 2, close);
        info.tainted |= args.tainted;
        if (last_classes & kStringFunction) {
          info.built_unsafe |= args.built_unsafe;
          info.html |= args.html && args.built_unsafe;
          info.sql |= args.sql && args.built_unsafe;
          info.has_literal |= args.has_literal;
        }
        i = close;
        continue;
      }
      if (end_name != i && (word_classes(head) & kSourceHead)) {
        std::string& dotted = ws_.dotted;
        dotted_into(i, end_name, dotted);
        bool argv = dotted == "sys.argv";
        resolve_in_place(dotted);
        if (is_request_source(dotted) || argv) {
          info.tainted = true;
          info.constant = false;
          i = end_name;
          continue;
        }
      }
      if (word_classes(head) & kExprKeyword) continue;
      if (is_constant(head)) {
        i = end_name;
        continue;
      }
      info.constant = false;
      const VarInfo* v = var(head);
      if (v) merge_var(*v, info);
      i = end_name;
      // table[key]: the value comes from the table; the key's taint does not flow into it.
      if (is_op(i + 1, "[") && !(v && v->info.tainted)) {
        i = match_close(i + 1, e);
      }
    }
    // "<p>" + name + "</p>": concatenation of literals with unsafe operands.
    if (plus_at_top && info.has_literal) check_concatenation(b, e, info);
    return info;
  }

  static void merge_var(const VarInfo& v, ExprInfo& info) {
    info.tainted |= v.info.tainted;
    info.built_unsafe |= v.info.built_unsafe;
    info.html |= v.info.html;
    info.sql |= v.info.sql;
    info.has_literal |= v.info.has_literal;
    info.parent_path |= v.info.parent_path;
    info.constant &= v.info.constant;
    info.opaque |= v.info.opaque;
  }

  void check_concatenation(uint32_t b, uint32_t e, ExprInfo& info) {
    uint32_t start = b;
    int depth = 0;
    for (uint32_t i = b; i <= e; ++i) {
      bool at_end = i == e;
      if (!at_end) {
        const Token& t = tok_[i];
        if (is_opening(t)) ++depth;
        if (is_closing(t)) --depth;
      }
      if (at_end || (depth == 0 && is_op(i, "+"))) {
        if (!operand_safe(start, i)) {
          // A variable that is itself an unsafely built string counts; one known safe does not.
          info.built_unsafe = true;
        }
        start = i + 1;
      }
    }
  }

  // --- pass 2: assignments ---
  void collect_assignment(uint32_t s) {
    const Statement& st = ts_.statements[s];
    uint32_t b = st.first_token, e = st.end_token;
    // "for x in expr:" and "with expr as x:" bind names too.
    if (is_name(b, "for")) {
      uint32_t in = b + 1;
      while (in < e && !is_name(in, "in")) ++in;
      if (in < e) {
        ExprInfo info = analyze_expr(in + 1, e);
        for (uint32_t k = b + 1; k < in; ++k) {
          if (is_name(k)) assign(tok_[k].name_id, info, false, s);
        }
      }
      return;
    }
    int depth = 0;
    uint32_t eq = e;
    bool augmented = false;
    for (uint32_t i = b; i < e; ++i) {
      const Token& t = tok_[i];
      if (t.kind != TokenKind::kOp) continue;
      if (is_opening(t)) ++depth;
      if (is_closing(t)) --depth;
      if (depth != 0) continue;
      if (t.op == op_code("=") || t.op == op_code("+=")) {
        eq = i;
        augmented = t.op == op_code("+=");
        break;
      }
    }
    if (eq == e || eq == b) return;
    ExprInfo info = analyze_expr(eq + 1, e);
    // Targets: names and dotted names (self.x, app.config) before '='; tuple targets too.
    // Expressions only ever read plain names, so a dotted target's value is not kept.
    uint32_t k = b;
    while (k < eq) {
      if (is_name(k)) {
        uint32_t end_name = k;
        while (end_name + 2 < eq && is_op(end_name + 1, ".") && is_name(end_name + 2)) end_name += 2;
        if (end_name == k) {
          // Subscript targets (d['k'] = x) taint the container.
          uint32_t target = tok_[k].name_id;
          assign(target, info, augmented, s);
          if (eq == end_name + 1 && e == eq + 2 && tok_[eq + 1].kind == TokenKind::kNumber) {
            mutable_var(target).int_value = number_value(eq + 1);
          }
        }
        k = end_name + 1;
        while (k < eq && !is_op(k, ",")) ++k;
      }
      ++k;
    }
  }

  // Whether an assignment at statement `s` replaces the variable's value on every path, or
  // only on some (inside an `if` under the previous one, or in another branch), where the old
  // value may survive: `x = request.args['x']; if not x: x = 'default'` keeps the taint.
  bool replaces_on_all_paths(const VarInfo& v, uint32_t s) const {
    if (!v.assigned) return true;
    const auto& stmts = ts_.statements;
    uint32_t indent = stmts[s].indent;
    if (indent > v.indent) return false;
    for (uint32_t k = v.statement + 1; k < s; ++k) {
      if (stmts[k].indent < indent && has_class(stmts[k].first_token, kBranchKeyword)) {
        return false;
      }
    }
    return true;
  }

  void assign(uint32_t name_id, const ExprInfo& info, bool augmented, uint32_t s) {
    VarInfo& v = mutable_var(name_id);
    bool overwrite = !augmented && replaces_on_all_paths(v, s);
    v.statement = s;
    v.indent = ts_.statements[s].indent;
    v.assigned = true;
    v.int_value = -1;
    if (!overwrite) {
      // x += y: x is still an unsafely built string if either part is.
      bool was_literal = v.info.has_literal;
      v.info.tainted |= info.tainted;
      v.info.html |= info.html;
      v.info.sql |= info.sql;
      v.info.has_literal |= info.has_literal;
      v.info.parent_path |= info.parent_path;
      v.info.built_unsafe |= info.built_unsafe || (was_literal && !info.constant && !info.sanitized);
      v.info.constant &= info.constant;
      v.safe = v.safe && (info.sanitized || info.constant);
      if (!augmented) v.info.sanitized = false;
      return;
    }
    v.info = info;
    v.safe = info.sanitized || (info.constant && !info.built_unsafe && !info.tainted);
  }

  // --- pass 3: sinks ---
  void report(const CodeRule& rule, uint32_t first_token, uint32_t last_token, double confidence) {
    uint32_t begin = tok_[first_token].begin;
    uint32_t end = tok_[std::min<uint32_t>(last_token, n_ - 1)].end;
    for (const auto& existing : issues_) {
      if (existing.rule == &rule && existing.begin == begin) return;
    }
    issues_.push_back(CodeIssue{&rule, confidence, begin, end});
  }

  ExprInfo arg_info(const Call::Arg* arg) {
    return arg ? analyze_expr(arg->begin, arg->end) : ExprInfo{};
  }
  bool arg_is_literal(const Call::Arg* arg) {
    if (!arg) return true;
    ExprInfo info = analyze_expr(arg->begin, arg->end);
    return info.constant && !info.built_unsafe && !info.tainted;
  }
  bool arg_is(const Call::Arg* arg, Word value) const {
    return arg && arg->end == arg->begin + 1 && tok_[arg->begin].name_id == value.id;
  }
  bool arg_text_is(const Call::Arg* arg, std::string_view value) const {
    return arg && arg->end == arg->begin + 1 && text(arg->begin) == value;
  }
  // Integer value of a numeric literal argument (0o777, 0777, 511, 0x1ff), or -1.
  long long arg_int(const Call::Arg* arg) const {
    if (!arg || arg->end != arg->begin + 1) return -1;
    if (is_name(arg->begin)) {
      const VarInfo* v = var(tok_[arg->begin].name_id);
      return v ? v->int_value : -1;
    }
    if (tok_[arg->begin].kind != TokenKind::kNumber) return -1;
    return number_value(arg->begin);
  }
  long long number_value(uint32_t token) const {
    std::string t(text(token));
    t.erase(std::remove(t.begin(), t.end(), '_'), t.end());
    int base = 10;
    size_t skip = 0;
    if (t.size() > 2 && t[0] == '0' && (t[1] == 'o' || t[1] == 'O')) base = 8, skip = 2;
    else if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) base = 16, skip = 2;
    else if (t.size() > 1 && t[0] == '0') base = 8, skip = 1;
    long long v = 0;
    for (size_t i = skip; i < t.size(); ++i) {
      int d = std::isdigit(static_cast<unsigned char>(t[i])) ? t[i] - '0'
                                                             : (ascii_lower(t[i]) - 'a' + 10);
      if (d < 0 || d >= base) return -1;
      v = v * base + d;
    }
    return v;
  }
  bool arg_mentions(const Call::Arg* arg, Word name) const {
    if (!arg) return false;
    for (uint32_t i = arg->begin; i < arg->end; ++i) {
      if (tok_[i].name_id == name.id) return true;
    }
    return false;
  }

  void check_statement(uint32_t s) {
    const Statement& st = ts_.statements[s];
    const uint32_t features = ws_.statement_features[s];
    uint32_t b = st.first_token, e = st.end_token;
    const Function* fn = function_of(s);

    if (is_name(b, "return") && fn && !returns_call(b + 1, e) && !is_dunder(*fn)) {
      ExprInfo info = analyze_expr(b + 1, e);
      if (info.html && info.built_unsafe && (fn->is_route || info.tainted)) {
        report(kXssHtmlResponse, b, e - 1, 0.9);
      } else if (fn->is_route && info.tainted && !info.sanitized && !info.opaque) {
        // Flask serves a returned str as text/html: request data in it is reflected XSS.
        report(kXssHtmlResponse, b, e - 1, 0.7);
      }
    }
    // Assignments of settings: app.debug = True, env.autoescape = False, check_hostname = False.
    if (features & kSettingName) {
      for (uint32_t i = b; i + 2 < e; ++i) {
        if (!is_op(i + 1, "=")) continue;
        if (is_name(i, "autoescape") && is_name(i + 2, "False")) report(kXssAutoescapeOff, i, i + 2, 0.9);
        if (is_name(i, "check_hostname") && is_name(i + 2, "False")) report(kTlsVerifyOff, i, i + 2, 0.9);
        if (is_name(i, "verify_mode") && is_name(i + 2, "ssl") && is_name(i + 4, "CERT_NONE")) {
          report(kTlsVerifyOff, i, i + 4, 0.9);
        }
        if (is_name(i, "debug") && is_op(i - 1, ".") && is_name(i + 2, "True")) {
          report(kDebugMode, i, i + 2, 0.7);
        }
      }
    }
    // Comparisons with literal passwords.
    if (features & kHasEqualsEquals) {
      for (uint32_t i = b; i + 2 < e; ++i) {
        if (!is_op(i + 1, "==")) continue;
        uint32_t lit = 0, name = 0;
        if (tok_[i + 2].kind == TokenKind::kString && is_name(i)) lit = i + 2, name = i;
        if (tok_[i].kind == TokenKind::kString && is_name(i + 2)) lit = i, name = i + 2;
        if (!lit) continue;
        if ((traits(tok_[name].name_id, kWordsKnown) & kCredentialName) &&
            ts_.string_body(tok_[lit]).size() >= 3) {
          report(kHardcodedSecret, std::min(lit, name), std::max(lit, name), 0.8);
        }
      }
    }
    // URL allow-lists checked by substring: "example.com" in url.
    if ((features & kHasInKeyword) && (features & kHasString)) {
      for (uint32_t i = b; i + 2 < e; ++i) {
        if (tok_[i].kind != TokenKind::kString || !is_name(i + 1, "in") || !is_name(i + 2)) continue;
        if (is_name(i - 1, "not") || is_op(i - 1, ",") || is_op(i - 1, "[")) continue;
        std::string_view body = ts_.string_body(tok_[i]);
        bool domain = body.find('.') != std::string_view::npos && body.find(' ') == std::string_view::npos &&
                      body.find('/') == std::string_view::npos && body.size() > 4 &&
                      !starts_with(body, ".") && std::isalpha(static_cast<unsigned char>(body.back()));
        if (domain && (traits(tok_[i + 2].name_id, kWordsKnown) & kUrlName)) {
          report(kUrlSubstring, i, i + 2, 0.8);
        }
      }
    }
    // Settings any call can carry: verify=False, cert_reqs=ssl.CERT_NONE.
    if (features & kTlsKeywordArg) {
      for (uint32_t i = b; i + 2 < e; ++i) {
        if (!is_op(i + 1, "=") || !is_name(i) || !(is_op(i - 1, ",") || is_op(i - 1, "("))) continue;
        if (is_name(i, "verify") && is_name(i + 2, "False")) report(kTlsVerifyOff, i, i + 2, 0.95);
        if (is_name(i, "cert_reqs")) {
          uint32_t k = i + 2;
          while (k < e && !is_op(k, ",") && !is_op(k, ")")) {
            if (is_name(k, "CERT_NONE")) report(kTlsVerifyOff, i, k, 0.9);
            ++k;
          }
        }
      }
    }
    // Calls that some rule looks at.
    if (features & kInterestingCall) {
      for (uint32_t i = b; i + 1 < e; ++i) {
        if (!has_class(i, kInterestingCall) || !is_op(i + 1, "(")) continue;
        if (i > b && (is_name(i - 1, "def") || is_name(i - 1, "class"))) continue;
        parse_call(i, i + 1, e, b, ws_.call);
        check_call(ws_.call, s, fn);
      }
    }
  }

  // True when the resolved callee contains one of the weak cipher modules' ".new"
  // (contains_ci of "des.new", "arc4.new", "blowfish.new"): one pass over the callee.
  static bool mentions_weak_cipher_new(std::string_view c) {
    for (size_t at = 0; at + 4 <= c.size(); ++at) {
      if (c[at] != '.' || ascii_lower(c[at + 1]) != 'n' || ascii_lower(c[at + 2]) != 'e' ||
          ascii_lower(c[at + 3]) != 'w') {
        continue;
      }
      std::string_view before = c.substr(0, at);
      auto ends_with_ci = [&](std::string_view module) {
        return before.size() >= module.size() &&
               contains_ci(before.substr(before.size() - module.size()), module);
      };
      if (ends_with_ci("des") || ends_with_ci("arc4") || ends_with_ci("blowfish")) return true;
    }
    return false;
  }

  void check_call(const Call& call, uint32_t s, const Function* fn) {
    const std::string_view c = call.callee;
    uint32_t first = dotted_start(call.name_token, ts_.statements[s].first_token);
    auto flag = [&](const CodeRule& rule, double confidence) {
      report(rule, first, call.close, confidence);
    };
    const Call::Arg* a0 = call.positional(0);

    // SQL: execute(<string built from variables>) — bound parameters are fine.
    if (call.last_is("execute") || call.last_is("executemany") || call.last_is("executescript") ||
        call.last_is("raw") || call.last_is("read_sql") || call.last_is("read_sql_query") ||
        call.is("sqlalchemy.text") || call.is("sqlalchemy.sql.text") ||
        (call.last_is("text") && imports_sqlalchemy_)) {
      ExprInfo q = arg_info(a0);
      if (q.built_unsafe && q.sql) {
        flag(kSqlInjection, q.tainted ? 0.95 : 0.8);
      }
    }
    // Templates rendered from strings built with values (XSS / SSTI).
    if (call.last_is("render_template_string") || call.is("flask.render_template_string")) {
      ExprInfo t = arg_info(a0);
      if (t.built_unsafe || t.tainted) flag(kXssTemplateString, t.tainted ? 0.95 : 0.85);
    }
    if (call.last_is("make_response") || call.last_is("Response") || call.last_is("HttpResponse")) {
      ExprInfo t = arg_info(a0);
      if (t.html && t.built_unsafe) flag(kXssHtmlResponse, 0.9);
    }
    if (call.last_is("Markup") || call.last_is("mark_safe")) {
      ExprInfo t = arg_info(a0);
      if (t.tainted || t.built_unsafe) flag(kXssMarkup, 0.8);
    }
    if (call.is("jinja2.Template") || call.is("jinja2.Environment") ||
        call.is("jinja2.environment.Environment") || call.is("jinja2.environment.Template")) {
      const Call::Arg* ae = call.keyword("autoescape");
      if (!ae || arg_is(ae, "False")) flag(kXssAutoescapeOff, ae ? 0.95 : 0.8);
    }
    // Shell commands.
    bool shell_true = arg_is(call.keyword("shell"), Word("True"));
    if (call.is("os.system") || call.is("os.popen") || call.is("os.popen2") ||
        call.is("commands.getoutput") || call.is("subprocess.getoutput") ||
        call.is("subprocess.getstatusoutput") || (starts_with(c, "subprocess.") && shell_true)) {
      ExprInfo cmd = arg_info(a0);
      if (!cmd.constant || cmd.tainted || cmd.built_unsafe) {
        flag(kCommandInjection, cmd.tainted ? 0.95 : 0.8);
      }
    }
    // Deserialization that runs code.
    if (call.is("pickle.loads") || call.is("pickle.load") || call.is("cPickle.loads") ||
        call.is("cPickle.load") || call.is("marshal.loads") || call.is("marshal.load") ||
        call.is("dill.loads") || call.is("dill.load") || call.is("jsonpickle.decode") ||
        call.is("shelve.open") || call.is("yaml.unsafe_load") || call.is("yaml.unsafe_load_all") ||
        call.is("pandas.read_pickle") || call.is("_pickle.loads") || call.is("pickle.Unpickler")) {
      flag(kDeserialization, 0.9);
    }
    if (call.is("yaml.load") || call.is("yaml.load_all")) {
      const Call::Arg* loader = call.keyword("Loader");
      if (!loader) loader = call.positional(1);
      bool safe = loader && (arg_mentions(loader, "SafeLoader") || arg_mentions(loader, "CSafeLoader") ||
                             arg_mentions(loader, "BaseLoader"));
      if (!safe) flag(kDeserialization, 0.9);
    }
    // eval/exec of something that is not a literal.
    if ((call.is("eval") || call.is("exec") || call.is("builtins.eval") || call.is("builtins.exec")) &&
        !is_op(call.name_token - 1, ".")) {
      if (!arg_is_literal(a0)) flag(kEval, arg_info(a0).tainted ? 0.95 : 0.8);
    }
    // Permissions: modes that let every user write.
    auto check_mode = [&](const Call::Arg* mode_arg) {
      if (!mode_arg) return;
      long long mode = arg_int(mode_arg);
      bool other_write = mode >= 0 && (mode & 02) != 0;
      if (!other_write && mode < 0) {
        other_write = arg_mentions(mode_arg, "S_IWOTH") || arg_mentions(mode_arg, "S_IRWXO");
      }
      if (other_write) flag(kWorldWritable, 0.9);
    };
    bool os_chmod = call.is("os.chmod") || call.is("os.lchmod") || call.is("os.fchmod");
    if (os_chmod || call.last_is("chmod")) {
      const Call::Arg* m = call.keyword("mode");
      check_mode(m ? m : os_chmod ? call.positional(1) : call.positional(0));
    }
    if (call.is("os.open")) check_mode(call.keyword("mode") ? call.keyword("mode") : call.positional(2));
    if (call.is("os.mkdir") || call.is("os.makedirs")) {
      check_mode(call.keyword("mode") ? call.keyword("mode") : call.positional(1));
    }
    if (call.last_is("mkdir") && !starts_with(c, "os.")) check_mode(call.keyword("mode"));
    if (call.is("os.umask")) {
      long long mask = arg_int(a0);
      if (mask >= 0 && (mask & 02) == 0) flag(kUmask, 0.8);
    }
    // Archive extraction without member checks.
    if (call.last_is("extractall") ||
        (call.last_is("extract") && (contains_ci(c, "tar") || contains_ci(c, "zip")))) {
      const Call::Arg* path = call.keyword("path") ? call.keyword("path") : call.positional(0);
      ExprInfo p = arg_info(path);
      bool filtered = call.keyword("filter") != nullptr;
      const Call::Arg* members = call.keyword("members");
      bool members_checked = members && !arg_mentions(members, "getmembers");
      bool validated = fn ? fn->validates_paths : file_validates_paths_;
      if (p.parent_path) {
        flag(kArchiveExtraction, 0.95);
      } else if (!filtered && !members_checked && !validated && !contains_ci(c, "zip")) {
        flag(kArchiveExtraction, 0.85);
      }
    }
    // File operations aimed at '..' or at a path from the request.
    if (call.is("open") || call.is("io.open") || call.is("codecs.open") || call.last_is("send_file") ||
        call.is("os.remove") || call.is("os.unlink") || call.is("shutil.rmtree") ||
        call.is("shutil.copy") || call.is("shutil.copyfile") || call.is("shutil.move") ||
        call.is("os.rename") || call.is("os.makedirs") || call.is("os.chdir") ||
        call.is("pathlib.Path") || call.is("os.listdir") || call.last_is("extract")) {
      ExprInfo p = arg_info(a0);
      bool validated = fn ? fn->validates_paths : file_validates_paths_;
      if (p.parent_path) {
        flag(kParentPath, 0.8);
      } else if (p.tainted && !validated) {
        flag(kPathTraversal, 0.85);
      }
    }
    // TLS (keyword settings are checked above for every call).
    if (call.is("ssl._create_unverified_context")) flag(kTlsVerifyOff, 0.9);
    // Weak hashes for secrets, weak ciphers, non-crypto randomness for secrets.
    if (call.is("hashlib.md5") || call.is("hashlib.sha1") || call.is("md5") || call.is("sha1") ||
        (call.is("hashlib.new") && a0 && tok_[a0->begin].kind == TokenKind::kString &&
         (contains_ci(ts_.string_body(tok_[a0->begin]), "md5") ||
          contains_ci(ts_.string_body(tok_[a0->begin]), "sha1")))) {
      if (statement_mentions_secret(s)) flag(kWeakHash, 0.85);
    }
    if (mentions_weak_cipher_new(c) || call.is("Crypto.Cipher.DES.new") ||
        arg_mentions(a0, "MODE_ECB") || arg_mentions(call.positional(1), "MODE_ECB") ||
        call.last_is("ECB")) {
      flag(kWeakCipher, 0.85);
    }
    if ((starts_with(c, "random.") && !call.is("random.SystemRandom") && !call.is("random.seed")) &&
        statement_mentions_secret(s)) {
      flag(kInsecureRandom, 0.7);
    }
    // Requests to URLs from the request.
    bool http_client = call.is("requests.get") || call.is("requests.post") ||
                       call.is("requests.put") || call.is("requests.delete") ||
                       call.is("requests.head") || call.is("requests.request") ||
                       call.is("urllib.request.urlopen") || call.is("urllib2.urlopen") ||
                       call.is("urlopen") || call.is("httpx.get") || call.is("httpx.post") ||
                       call.is("urllib.request.Request");
    if (http_client) {
      ExprInfo u = arg_info(call.is("requests.request") ? call.positional(1) : a0);
      bool validated = fn ? fn->validates_urls : false;
      if (u.tainted && !validated) flag(kSsrf, 0.8);
    }
    if (call.last_is("redirect") || call.last_is("HttpResponseRedirect")) {
      ExprInfo u = arg_info(a0);
      bool validated = fn ? fn->validates_urls : false;
      if (u.tainted && !validated) flag(kOpenRedirect, 0.8);
    }
    // XML parsers that resolve external entities.
    if (call.last_is("XMLParser") && (arg_is(call.keyword("resolve_entities"), Word("True")) ||
                                      arg_is(call.keyword("no_network"), Word("False")))) {
      flag(kXxe, 0.9);
    }
    if (call.last_is("setFeature") && call.args.size() >= 2 &&
        (arg_mentions(call.positional(0), "feature_external_ges") ||
         arg_mentions(call.positional(0), "feature_external_pes")) &&
        (arg_is(call.positional(1), Word("True")) || arg_text_is(call.positional(1), "1"))) {
      flag(kXxe, 0.9);
    }
    // Temporary files.
    if (call.is("tempfile.mktemp") || call.is("os.tempnam") || call.is("os.tmpnam")) flag(kTempFile, 0.9);
    if ((call.is("open") || call.is("io.open")) && a0 && tok_[a0->begin].kind == TokenKind::kString &&
        a0->end == a0->begin + 1 && starts_with(ts_.string_body(tok_[a0->begin]), "/tmp/")) {
      const Call::Arg* mode = call.positional(1) ? call.positional(1) : call.keyword("mode");
      if (mode && tok_[mode->begin].kind == TokenKind::kString &&
          ts_.string_body(tok_[mode->begin]).find_first_of("wa") != std::string_view::npos) {
        flag(kTempFile, 0.6);
      }
    }
    // Allow-list regexes with an unescaped '.' before a domain label.
    if ((call.is("re.compile") || call.is("re.match") || call.is("re.search") || call.is("re.fullmatch")) &&
        a0 && tok_[a0->begin].kind == TokenKind::kString) {
      if (hostname_regex_has_unescaped_dot(ts_.string_body(tok_[a0->begin]))) {
        flag(kHostnameRegex, 0.85);
      }
    }
    // Debug mode.
    if (call.last_is("run") && arg_is(call.keyword("debug"), Word("True"))) flag(kDebugMode, 0.7);
  }

  // `return f(...)`: the call is the sink that matters (render_template_string, jsonify, ...).
  bool returns_call(uint32_t b, uint32_t e) const {
    if (!is_name(b)) return false;
    uint32_t end_name = b;
    while (end_name + 2 < e && is_op(end_name + 1, ".") && is_name(end_name + 2)) end_name += 2;
    if (!is_op(end_name + 1, "(")) return false;
    uint32_t close = match_close(end_name + 1, e);
    // `return jsonify(x)` and `return jsonify(x), 201`.
    return close + 1 == e || is_op(close + 1, ",");
  }
  // __repr__ and friends build debugging strings, not responses.
  bool is_dunder(const Function& fn) const {
    uint32_t name = ts_.statements[fn.def_statement].first_token + 1;
    if (is_name(name, "def")) ++name;  // async def
    std::string_view n = is_name(name) ? text(name) : std::string_view();
    return n.size() > 4 && starts_with(n, "__") && ends_with(n, "__");
  }

  bool statement_mentions_secret(uint32_t s) {
    const Statement& st = ts_.statements[s];
    for (uint32_t i = st.first_token; i < st.end_token; ++i) {
      if (is_name(i) && (traits(tok_[i].name_id, kWordsKnown) & kSecretName)) return true;
    }
    const Function* fn = function_of(s);
    if (!fn) return false;
    std::string fname = to_lower_ascii(text(ts_.statements[fn->def_statement].first_token + 1));
    return fname.find("pass") != std::string::npos || fname.find("token") != std::string::npos ||
           fname.find("secret") != std::string::npos;
  }

  // An unescaped '.' followed by a domain label and then the end, '/', ':', '$', ')' or
  // another dot: "https://[\w-]+.example.com", "www.example.com". ".*", ".+" are not.
  static bool hostname_regex_has_unescaped_dot(std::string_view re) {
    bool in_class = false;
    for (size_t i = 0; i < re.size(); ++i) {
      char c = re[i];
      if (c == '\\') {
        ++i;
        continue;
      }
      if (c == '[') in_class = true;
      if (c == ']') in_class = false;
      if (in_class || c != '.') continue;
      size_t k = i + 1;
      while (k < re.size() && (std::isalnum(static_cast<unsigned char>(re[k])) || re[k] == '-')) ++k;
      size_t label = k - i - 1;
      bool alpha_label = label >= 2;
      for (size_t j = i + 1; j < k && alpha_label; ++j) {
        alpha_label = std::isalpha(static_cast<unsigned char>(re[j])) || re[j] == '-';
      }
      if (!alpha_label) continue;
      bool boundary = k == re.size() || re[k] == '/' || re[k] == ':' || re[k] == '$' ||
                      re[k] == ')' || re[k] == '.' || re[k] == '\\' || re[k] == '|' ||
                      re[k] == '?';
      // What comes before should be a host-ish token: a name, a class or a quantifier.
      bool host_before = i > 0 && (std::isalnum(static_cast<unsigned char>(re[i - 1])) ||
                                   re[i - 1] == '+' || re[i - 1] == ']' || re[i - 1] == '*' ||
                                   re[i - 1] == ')');
      if (boundary && host_before) return true;
    }
    return false;
  }

  void check_file_level() {
    // Flask's own autoescape switch.
    for (uint32_t i = 0; i + 4 < n_; ++i) {
      if (is_name(i, "jinja_env") && is_op(i + 1, ".") && is_name(i + 2, "autoescape") &&
          is_op(i + 3, "=") && is_name(i + 4, "False")) {
        report(kXssAutoescapeOff, i, i + 4, 0.9);
      }
    }
  }

  Workspace& ws_;
  NameTable& names_;
  const TokenizedSource& ts_;
  const std::vector<Token>& tok_;
  const uint32_t n_;
  CodeIssues& issues_;
  uint32_t generation_ = 0;
  uint64_t vars_version_ = 0;  // changes whenever a variable does
  bool imports_sqlalchemy_ = false;
  bool file_validates_paths_ = false;
};

}  // namespace

void analyze_python(std::string_view code, CodeIssues& issues) {
  thread_local Workspace ws;
  ws.names.reset();
  tokenize_python(code, ws.source, &ws.names);
  Analyzer(ws, issues).run();
}

}  // namespace alignwatch::scan::python
