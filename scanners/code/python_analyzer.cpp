#include "scanners/code/python_analyzer.h"

#include <algorithm>
#include <array>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "core/text.h"
#include "scanners/code/python_lexer.h"

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

// Cheap tests on a name before its dotted form is built and resolved.
bool may_be_source(std::string_view head) {
  return head == "request" || head == "flask" || head == "self" || head == "sys";
}
bool may_be_sanitizer(std::string_view last) {
  static const std::unordered_set<std::string_view> kLast = {
      "escape", "clean", "quote", "quote_plus", "secure_filename", "int", "float", "bool", "len",
      "abs", "round", "basename", "sanitize", "sanitize_html", "escape_html", "html_escape",
      "urlencode", "uuid4", "isdigit", "strip_tags", "conditional_escape", "format_html",
      "escape_string", "dumps"};
  return kLast.count(last) > 0;
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

// Functions whose result is (a transformation of) the string passed in.
bool is_string_function(std::string_view name) {
  return name == "str" || name == "join" || name == "format" || name == "strip" ||
         name == "lstrip" || name == "rstrip" || name == "lower" || name == "upper" ||
         name == "replace" || name == "dedent" || name == "title" || name == "capitalize";
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

bool looks_like_sql(std::string_view text) {
  std::string_view t = trim(text);
  static constexpr std::array<std::string_view, 9> kVerbs = {
      "select ", "insert ", "update ", "delete ", "replace ", "create ", "drop ", "alter ",
      "with "};
  std::string head = to_lower_ascii(t.substr(0, 8));
  bool verb = false;
  for (auto v : kVerbs) verb |= starts_with(head, v.substr(0, std::min(v.size(), head.size()))) &&
                                head.size() >= v.size();
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

struct Call {
  std::string callee;      // resolved dotted name, e.g. "os.system", "cursor.execute"
  uint32_t name_token;     // token of the last name component
  uint32_t open;           // token index of '('
  uint32_t close;          // token index of ')' (or end)
  struct Arg {
    std::string_view keyword;  // empty for positional
    uint32_t begin, end;       // token range of the value
  };
  std::vector<Arg> args;

  const Arg* positional(size_t n) const {
    size_t seen = 0;
    for (const auto& a : args) {
      if (a.keyword.empty() && seen++ == n) return &a;
    }
    return nullptr;
  }
  const Arg* keyword(std::string_view k) const {
    for (const auto& a : args) {
      if (a.keyword == k) return &a;
    }
    return nullptr;
  }
};

// Lets the maps below be searched with a string_view, without building a std::string.
struct TransparentHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
template <typename V>
using NameMap = std::unordered_map<std::string, V, TransparentHash, std::equal_to<>>;

class Analyzer {
 public:
  Analyzer(const TokenizedSource& ts, CodeIssues& issues) : ts_(ts), tok_(ts.tokens), issues_(issues) {}

  void run() {
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
  bool is_op(uint32_t i, std::string_view op) const {
    if (i >= tok_.size()) return false;
    const Token& t = tok_[i];
    // Operators are one or two bytes: compare them without a memcmp call.
    return t.kind == TokenKind::kOp && t.end - t.begin == op.size() &&
           ts_.source[t.begin] == op[0] && (op.size() == 1 || ts_.source[t.begin + 1] == op[1]);
  }
  bool is_name(uint32_t i) const { return i < tok_.size() && tok_[i].kind == TokenKind::kName; }
  bool is_name(uint32_t i, std::string_view n) const { return is_name(i) && text(i) == n; }

  // Index of the bracket closing the one at `open`, or `limit` when unbalanced.
  uint32_t match_close(uint32_t open, uint32_t limit) const {
    int depth = 0;
    for (uint32_t i = open; i < limit; ++i) {
      if (tok_[i].kind != TokenKind::kOp) continue;
      char c = ts_.source[tok_[i].begin];
      if (c == '(' || c == '[' || c == '{') ++depth;
      if (c == ')' || c == ']' || c == '}') {
        if (--depth == 0) return i;
      }
    }
    return limit;
  }

  // The dotted name ending at token `i` (a name): "os.path.join" for the "join" token.
  // A call in the chain ("conn.cursor().execute") keeps only the trailing names.
  std::string dotted_ending_at(uint32_t i, uint32_t floor) const {
    uint32_t start = dotted_start(i, floor);
    std::string_view span = ts_.source.substr(tok_[start].begin, tok_[i].end - tok_[start].begin);
    // Usually written without spaces: one copy of the source text.
    if (span.find_first_of(" \t\r\n\\#") == std::string_view::npos) return std::string(span);
    std::string out;
    for (uint32_t k = start; k <= i; k += 2) {
      if (k > start) out += '.';
      out += text(k);
    }
    return out;
  }
  uint32_t dotted_start(uint32_t i, uint32_t floor) const {
    while (i >= floor + 2 && is_op(i - 1, ".") && is_name(i - 2)) i -= 2;
    return i;
  }

  std::string resolve(std::string dotted) const {
    size_t dot = dotted.find('.');
    auto it = aliases_.find(std::string_view(dotted).substr(0, dot));
    if (it == aliases_.end()) return dotted;
    return it->second + (dot == std::string::npos ? "" : dotted.substr(dot));
  }

  Call parse_call(uint32_t name_token, uint32_t open, uint32_t limit, uint32_t floor) const {
    Call call;
    call.callee = resolve(dotted_ending_at(name_token, floor));
    call.name_token = name_token;
    call.open = open;
    call.close = match_close(open, limit);
    uint32_t arg_begin = open + 1;
    int depth = 0;
    auto finish_arg = [&](uint32_t end) {
      if (end <= arg_begin) return;
      Call::Arg arg{{}, arg_begin, end};
      if (end - arg_begin >= 2 && is_name(arg_begin) && is_op(arg_begin + 1, "=")) {
        arg.keyword = text(arg_begin);
        arg.begin = arg_begin + 2;
      }
      call.args.push_back(arg);
    };
    for (uint32_t i = open + 1; i < call.close; ++i) {
      if (tok_[i].kind != TokenKind::kOp) continue;
      char c = ts_.source[tok_[i].begin];
      if (c == '(' || c == '[' || c == '{') ++depth;
      if (c == ')' || c == ']' || c == '}') --depth;
      if (c == ',' && depth == 0 && tok_[i].end - tok_[i].begin == 1) {
        finish_arg(i);
        arg_begin = i + 1;
      }
    }
    finish_arg(call.close);
    return call;
  }

  // --- pass 1: imports and functions ---
  void collect_imports() {
    for (const auto& st : ts_.statements) {
      uint32_t b = st.first_token, e = st.end_token;
      if (is_name(b, "import")) {
        // import a.b as c, d
        uint32_t i = b + 1;
        while (i < e) {
          uint32_t start = i;
          while (i < e && !is_op(i, ",") && !is_name(i, "as")) ++i;
          std::string module;
          for (uint32_t k = start; k < i; ++k) module += text(k);
          std::string alias = module.substr(0, module.find('.'));
          std::string target = alias;
          if (i < e && is_name(i, "as") && i + 1 < e) {
            alias = std::string(text(i + 1));
            target = module;
            i += 2;
          }
          if (!alias.empty() && alias != target) aliases_[alias] = target;
          modules_.insert(module);
          while (i < e && !is_op(i, ",")) ++i;
          ++i;
        }
      } else if (is_name(b, "from")) {
        // from a.b import c as d, e
        uint32_t i = b + 1;
        std::string module;
        while (i < e && !is_name(i, "import")) module += text(i++);
        modules_.insert(module);
        ++i;
        while (i < e) {
          if (is_name(i) && !is_name(i, "as")) {
            std::string name(text(i));
            std::string alias = name;
            if (i + 2 < e && is_name(i + 1, "as")) {
              alias = std::string(text(i + 2));
              i += 2;
            }
            aliases_[alias] = module + "." + name;
          }
          ++i;
        }
      }
    }
  }

  void collect_functions() {
    const auto& stmts = ts_.statements;
    statement_function_.assign(stmts.size(), -1);
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
        for (uint32_t k = stmts[d].first_token; k < stmts[d].end_token; ++k) {
          if (is_name(k)) {
            auto t = text(k);
            if (t == "route" || t == "get" || t == "post" || t == "put" || t == "delete" ||
                t == "patch" || t == "api_view" || t == "websocket" || t == "view_config") {
              fn.is_route = true;
            }
          }
        }
      }
      // Parameters: route parameters, and Django views' `request`.
      uint32_t open = b;
      while (open < stmts[s].end_token && !is_op(open, "(")) ++open;
      uint32_t close = match_close(open, stmts[s].end_token);
      bool first_param_is_request = is_name(open + 1, "request");
      if (first_param_is_request) fn.is_route = true;
      for (uint32_t k = open + 1; k < close; ++k) {
        bool param_start = is_op(k - 1, "(") || is_op(k - 1, ",");
        if (param_start && is_name(k) && fn.is_route && text(k) != "self" && text(k) != "request") {
          VarInfo v;
          v.info.tainted = true;
          v.info.constant = false;
          vars_[std::string(text(k))] = v;
        }
      }
      scan_validation(fn);
      int id = static_cast<int>(functions_.size());
      functions_.push_back(fn);
      for (uint32_t k = s; k < fn.end_statement; ++k) statement_function_[k] = id;
    }
  }

  // Looks for the checks that make a path or URL from the request safe to use.
  void scan_validation(Function& fn) const {
    const auto& stmts = ts_.statements;
    uint32_t b = stmts[fn.def_statement].first_token;
    uint32_t e = fn.end_statement < stmts.size() ? stmts[fn.end_statement].first_token
                                                 : static_cast<uint32_t>(tok_.size());
    bool abs = false, startswith = false;
    for (uint32_t i = b; i < e; ++i) {
      if (tok_[i].kind == TokenKind::kString) {
        if (ts_.string_body(tok_[i]) == "..") fn.validates_paths = true;
        continue;
      }
      if (!is_name(i)) continue;
      auto t = text(i);
      if (t == "secure_filename" || t == "safe_join" || t == "basename" || t == "commonpath" ||
          t == "is_relative_to" || t == "relative_to") {
        fn.validates_paths = true;
      }
      if (t == "abspath" || t == "realpath" || t == "resolve" || t == "normpath") abs = true;
      if (t == "startswith") startswith = true;
      if (t == "urlparse" || t == "urlsplit" || t == "netloc" || t == "hostname" ||
          t == "is_safe_url" || t == "url_has_allowed_host_and_scheme" || t == "url_for") {
        fn.validates_urls = true;
      }
      if (is_constant_name(t) && (contains_ci(t, "allow") || contains_ci(t, "whitelist") ||
                                  contains_ci(t, "domains") || contains_ci(t, "hosts"))) {
        fn.validates_urls = true;
      }
    }
    if (abs && startswith) fn.validates_paths = true;
    if (startswith) fn.validates_urls = true;
  }

  const Function* function_of(uint32_t s) const {
    int id = statement_function_[s];
    return id < 0 ? nullptr : &functions_[id];
  }

  // --- expressions ---

  // Whether an interpolated piece (tokens [b, e)) is safe: constants, numbers, sanitiser
  // calls, variables known to be safe.
  bool operand_safe(uint32_t b, uint32_t e) const {
    if (b >= e) return true;
    if (e - b == 1) {
      const Token& t = tok_[b];
      if (t.kind == TokenKind::kNumber) return true;
      if (t.kind == TokenKind::kString) {
        if (!t.f_string) return true;
        ExprInfo parts;
        scan_fstring(ts_.string_body(t), parts);
        return !parts.built_unsafe;
      }
      if (t.kind == TokenKind::kName) {
        if (is_constant_name(text(b))) return true;
        auto it = vars_.find(text(b));
        return it != vars_.end() && it->second.safe;
      }
    }
    if (is_name(b)) {
      uint32_t end_name = b;
      while (end_name + 2 < e && is_op(end_name + 1, ".") && is_name(end_name + 2)) end_name += 2;
      if (is_op(end_name + 1, "(")) {
        std::string callee = resolve(dotted_ending_at(end_name, b));
        uint32_t close = match_close(end_name + 1, e);
        if (close + 1 >= e && is_sanitizer(callee)) return true;
      }
    }
    return false;
  }

  // Whether source text inside an f-string's braces is safe.
  bool interpolation_safe(std::string_view expr, bool& tainted) const {
    // Drop a format spec or conversion: {x:>10}, {x!r}.
    int depth = 0;
    for (size_t i = 0; i < expr.size(); ++i) {
      char c = expr[i];
      if (c == '(' || c == '[' || c == '{') ++depth;
      if (c == ')' || c == ']' || c == '}') --depth;
      if (depth == 0 && (c == ':' || c == '!') && !(c == '!' && i + 1 < expr.size() && expr[i + 1] == '=')) {
        expr = expr.substr(0, i);
        break;
      }
    }
    expr = trim(expr);
    if (expr.empty()) return true;
    // Reused across calls: an f-string interpolation is tokenized on its own, and allocating
    // token vectors for each one dominated the analysis.
    thread_local TokenizedSource inner;
    tokenize_python(expr, inner);
    // Taint: any name that is a tainted variable or the request object.
    for (size_t i = 0; i < inner.tokens.size(); ++i) {
      if (inner.tokens[i].kind != TokenKind::kName) continue;
      bool after_dot = i > 0 && inner.text(inner.tokens[i - 1]) == ".";
      if (after_dot) continue;
      std::string name(inner.text(inner.tokens[i]));
      auto it = vars_.find(name);
      if (name == "request" || (it != vars_.end() && it->second.info.tainted)) tainted = true;
    }
    const auto& t0 = inner.tokens.empty() ? Token{} : inner.tokens[0];
    if (inner.tokens.size() == 1) {
      if (t0.kind == TokenKind::kNumber) return true;
      if (t0.kind == TokenKind::kString) return true;
      if (t0.kind == TokenKind::kName) {
        std::string name(inner.text(t0));
        if (is_constant_name(name)) return true;
        auto it = vars_.find(name);
        return it != vars_.end() && it->second.safe;
      }
    }
    // A sanitiser call around the whole expression.
    size_t k = 0;
    std::string callee;
    while (k < inner.tokens.size() && (inner.tokens[k].kind == TokenKind::kName ||
                                       inner.text(inner.tokens[k]) == ".")) {
      callee += inner.text(inner.tokens[k]);
      ++k;
    }
    if (!callee.empty() && k < inner.tokens.size() && inner.text(inner.tokens[k]) == "(" &&
        inner.text(inner.tokens.back()) == ")" && is_sanitizer(resolve(callee))) {
      tainted = false;
      return true;
    }
    return false;
  }

  // Splits the format arguments of `"...".format(a, b)` or `"..." % (a, b)` and checks them.
  void check_format_operands(uint32_t b, uint32_t e, ExprInfo& info) const {
    uint32_t start = b;
    int depth = 0;
    for (uint32_t i = b; i <= e; ++i) {
      bool at_end = i == e;
      if (!at_end && tok_[i].kind == TokenKind::kOp) {
        char c = ts_.source[tok_[i].begin];
        if (c == '(' || c == '[' || c == '{') ++depth;
        if (c == ')' || c == ']' || c == '}') --depth;
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

  ExprInfo analyze_expr(uint32_t b, uint32_t e) const {
    ExprInfo info;
    if (b >= e) return info;
    // A sanitiser around the whole expression makes it safe whatever is inside.
    if (operand_safe(b, e) && !(e - b == 1 && tok_[b].kind == TokenKind::kName)) {
      info.sanitized = e - b > 1;
      if (tok_[b].kind == TokenKind::kString) {
        info.has_literal = true;
        std::string_view body = ts_.string_body(tok_[b]);
        info.html = looks_like_html(body);
        info.sql = looks_like_sql(body);
        info.parent_path = body == ".." || body.find("../") != std::string_view::npos ||
                           ends_with(body, "/..");
      }
      return info;
    }
    bool plus_at_top = false;
    int depth = 0;
    for (uint32_t i = b; i < e; ++i) {
      const Token& t = tok_[i];
      if (t.kind == TokenKind::kOp) {
        char c = ts_.source[t.begin];
        if (c == '(' || c == '[' || c == '{') ++depth;
        if (c == ')' || c == ']' || c == '}') --depth;
        if (depth == 0 && text(i) == "+") plus_at_top = true;
        // "...".format(...) and "..." % x on a literal.
        if (text(i) == "%" && i > b && tok_[i - 1].kind == TokenKind::kString) {
          uint32_t rb = i + 1, re = e;
          if (is_op(rb, "(")) {
            re = match_close(rb, e);
            check_format_operands(rb + 1, re, info);
          } else {
            // A single operand up to the next top-level operator.
            re = rb;
            while (re < e && !(tok_[re].kind == TokenKind::kOp && (text(re) == "+" || text(re) == ","))) {
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
        info.has_literal = true;
        std::string_view body = ts_.string_body(t);
        info.html |= looks_like_html(body);
        info.sql |= looks_like_sql(body);
        info.parent_path |= body == ".." || body.find("../") != std::string_view::npos ||
                            ends_with(body, "/..");
        if (t.f_string) scan_fstring(body, info);
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
      const std::string_view head = text(i);
      const std::string_view last = text(end_name);
      if (is_op(end_name + 1, "(")) {
        uint32_t close = match_close(end_name + 1, e);
        // Only names that can be a sanitiser or a source need their resolved dotted form.
        std::string dotted;
        if (may_be_sanitizer(last) || may_be_source(head)) {
          dotted = resolve(dotted_ending_at(end_name, i));
        }
        if (!dotted.empty() && is_sanitizer(dotted)) {
          i = close;
          continue;
        }
        info.constant = false;
        if ((end_name == i && (head == "input" || head == "raw_input")) ||
            (!dotted.empty() && is_request_source(dotted))) {
          info.tainted = true;
        } else if (!is_string_function(last)) {
          info.opaque = true;
        }
        if (end_name != i) {
          // Method calls on a variable ("name.strip()", "data.get('x')") carry its taint.
          auto it = vars_.find(head);
          if (it != vars_.end()) merge_var(it->second, info);
          // `table.get(key, default)` looks a value up: the key's taint does not flow into it.
          if (last == "get") {
            i = close;
            continue;
          }
        }
        // Arguments of other calls: taint flows through (str(x), x.lower(), f(x)); a string
        // built from them stays one only through string functions (str, join, strip, ...).
        ExprInfo args = analyze_expr(end_name + 2, close);
        info.tainted |= args.tainted;
        if (is_string_function(last)) {
          info.built_unsafe |= args.built_unsafe;
          info.html |= args.html && args.built_unsafe;
          info.sql |= args.sql && args.built_unsafe;
          info.has_literal |= args.has_literal;
        }
        i = close;
        continue;
      }
      std::string dotted;
      if (end_name != i && may_be_source(head)) dotted = dotted_ending_at(end_name, i);
      if (!dotted.empty() && (is_request_source(resolve(dotted)) || dotted == "sys.argv")) {
        info.tainted = true;
        info.constant = false;
        i = end_name;
        continue;
      }
      std::string_view name = text(i);
      if (name == "and" || name == "or" || name == "not" || name == "in" || name == "is" ||
          name == "if" || name == "else" || name == "for" || name == "lambda") {
        continue;
      }
      if (is_constant_name(name)) {
        i = end_name;
        continue;
      }
      info.constant = false;
      auto it = vars_.find(name);
      if (it != vars_.end()) merge_var(it->second, info);
      i = end_name;
      // table[key]: the value comes from the table; the key's taint does not flow into it.
      if (is_op(i + 1, "[") && !(it != vars_.end() && it->second.info.tainted)) {
        i = match_close(i + 1, e);
      }
    }
    // "<p>" + name + "</p>": concatenation of literals with unsafe operands.
    if (plus_at_top && info.has_literal) check_concatenation(b, e, info);
    return info;
  }

  void merge_var(const VarInfo& v, ExprInfo& info) const {
    info.tainted |= v.info.tainted;
    info.built_unsafe |= v.info.built_unsafe;
    info.html |= v.info.html;
    info.sql |= v.info.sql;
    info.has_literal |= v.info.has_literal;
    info.parent_path |= v.info.parent_path;
    info.constant &= v.info.constant;
    info.opaque |= v.info.opaque;
  }

  void check_concatenation(uint32_t b, uint32_t e, ExprInfo& info) const {
    uint32_t start = b;
    int depth = 0;
    for (uint32_t i = b; i <= e; ++i) {
      bool at_end = i == e;
      if (!at_end && tok_[i].kind == TokenKind::kOp) {
        char c = ts_.source[tok_[i].begin];
        if (c == '(' || c == '[' || c == '{') ++depth;
        if (c == ')' || c == ']' || c == '}') --depth;
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

  void scan_fstring(std::string_view body, ExprInfo& info) const {
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
      bool tainted = false;
      if (!interpolation_safe(expr, tainted)) {
        info.built_unsafe = true;
        info.constant = false;
      }
      info.tainted |= tainted;
      i = k - 1;
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
          if (is_name(k)) assign(std::string(text(k)), info, false, s);
        }
      }
      return;
    }
    int depth = 0;
    uint32_t eq = e;
    bool augmented = false;
    for (uint32_t i = b; i < e; ++i) {
      if (tok_[i].kind != TokenKind::kOp) continue;
      char c = ts_.source[tok_[i].begin];
      if (c == '(' || c == '[' || c == '{') ++depth;
      if (c == ')' || c == ']' || c == '}') --depth;
      if (depth != 0) continue;
      auto op = text(i);
      if (op == "=" || op == "+=") {
        eq = i;
        augmented = op == "+=";
        break;
      }
    }
    if (eq == e || eq == b) return;
    ExprInfo info = analyze_expr(eq + 1, e);
    // Targets: names and dotted names (self.x, app.config) before '='; tuple targets too.
    uint32_t k = b;
    while (k < eq) {
      if (is_name(k)) {
        uint32_t end_name = k;
        while (end_name + 2 < eq && is_op(end_name + 1, ".") && is_name(end_name + 2)) end_name += 2;
        std::string target = dotted_ending_at(end_name, k);
        // Subscript targets (d['k'] = x) taint the container.
        assign(target, info, augmented, s);
        if (eq == end_name + 1 && e == eq + 2 && tok_[eq + 1].kind == TokenKind::kNumber) {
          vars_[target].int_value = number_value(eq + 1);
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
      uint32_t b = stmts[k].first_token;
      if (stmts[k].indent < indent && (is_name(b, "else") || is_name(b, "elif") ||
                                       is_name(b, "except") || is_name(b, "finally"))) {
        return false;
      }
    }
    return true;
  }

  void assign(const std::string& name, const ExprInfo& info, bool augmented, uint32_t s) {
    VarInfo& v = vars_[name];
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
    uint32_t end = tok_[std::min<uint32_t>(last_token, tok_.size() - 1)].end;
    for (const auto& existing : issues_) {
      if (existing.rule == &rule && existing.begin == begin) return;
    }
    issues_.push_back(CodeIssue{&rule, confidence, begin, end});
  }

  ExprInfo arg_info(const Call::Arg* arg) const {
    return arg ? analyze_expr(arg->begin, arg->end) : ExprInfo{};
  }
  bool arg_is_literal(const Call::Arg* arg) const {
    if (!arg) return true;
    ExprInfo info = analyze_expr(arg->begin, arg->end);
    return info.constant && !info.built_unsafe && !info.tainted;
  }
  bool arg_is(const Call::Arg* arg, std::string_view value) const {
    return arg && arg->end == arg->begin + 1 && text(arg->begin) == value;
  }
  // Integer value of a numeric literal argument (0o777, 0777, 511, 0x1ff), or -1.
  long long arg_int(const Call::Arg* arg) const {
    if (!arg || arg->end != arg->begin + 1) return -1;
    if (is_name(arg->begin)) {
      auto it = vars_.find(text(arg->begin));
      return it == vars_.end() ? -1 : it->second.int_value;
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
  bool arg_mentions(const Call::Arg* arg, std::string_view name) const {
    if (!arg) return false;
    for (uint32_t i = arg->begin; i < arg->end; ++i) {
      if (is_name(i) && text(i) == name) return true;
    }
    return false;
  }

  void check_statement(uint32_t s) {
    const Statement& st = ts_.statements[s];
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
    for (uint32_t i = b; i + 2 < e; ++i) {
      if (!is_op(i + 1, "=")) continue;
      auto target = text(i);
      if (target == "autoescape" && is_name(i + 2, "False")) report(kXssAutoescapeOff, i, i + 2, 0.9);
      if (target == "check_hostname" && is_name(i + 2, "False")) report(kTlsVerifyOff, i, i + 2, 0.9);
      if (target == "verify_mode" && text(i + 2) == "ssl" && is_name(i + 4, "CERT_NONE")) {
        report(kTlsVerifyOff, i, i + 4, 0.9);
      }
      if (target == "debug" && is_op(i - 1, ".") && is_name(i + 2, "True")) {
        report(kDebugMode, i, i + 2, 0.7);
      }
    }
    // Comparisons with literal passwords.
    for (uint32_t i = b; i + 2 < e; ++i) {
      if (!is_op(i + 1, "==")) continue;
      uint32_t lit = 0, name = 0;
      if (tok_[i + 2].kind == TokenKind::kString && is_name(i)) lit = i + 2, name = i;
      if (tok_[i].kind == TokenKind::kString && is_name(i + 2)) lit = i, name = i + 2;
      if (!lit) continue;
      std::string lname = to_lower_ascii(text(name));
      if ((lname.find("password") != std::string::npos || lname.find("passwd") != std::string::npos ||
           lname == "pwd" || lname.find("secret") != std::string::npos ||
           lname.find("token") != std::string::npos || lname.find("api_key") != std::string::npos) &&
          ts_.string_body(tok_[lit]).size() >= 3) {
        report(kHardcodedSecret, std::min(lit, name), std::max(lit, name), 0.8);
      }
    }
    // URL allow-lists checked by substring: "example.com" in url.
    for (uint32_t i = b; i + 2 < e; ++i) {
      if (tok_[i].kind != TokenKind::kString || !is_name(i + 1, "in") || !is_name(i + 2)) continue;
      if (is_name(i - 1, "not") || is_op(i - 1, ",") || is_op(i - 1, "[")) continue;
      std::string_view body = ts_.string_body(tok_[i]);
      std::string lname = to_lower_ascii(text(i + 2));
      bool domain = body.find('.') != std::string_view::npos && body.find(' ') == std::string_view::npos &&
                    body.find('/') == std::string_view::npos && body.size() > 4 &&
                    !starts_with(body, ".") && std::isalpha(static_cast<unsigned char>(body.back()));
      if (domain && (lname.find("url") != std::string::npos || lname.find("host") != std::string::npos ||
                     lname.find("domain") != std::string::npos || lname.find("link") != std::string::npos ||
                     lname.find("origin") != std::string::npos || lname.find("referer") != std::string::npos ||
                     lname.find("redirect") != std::string::npos || lname.find("site") != std::string::npos)) {
        report(kUrlSubstring, i, i + 2, 0.8);
      }
    }
    // Settings any call can carry: verify=False, cert_reqs=ssl.CERT_NONE.
    for (uint32_t i = b; i + 2 < e; ++i) {
      if (!is_op(i + 1, "=") || !is_name(i) || !(is_op(i - 1, ",") || is_op(i - 1, "("))) continue;
      if (text(i) == "verify" && is_name(i + 2, "False")) report(kTlsVerifyOff, i, i + 2, 0.95);
      if (text(i) == "cert_reqs") {
        uint32_t k = i + 2;
        while (k < e && !is_op(k, ",") && !is_op(k, ")")) {
          if (is_name(k, "CERT_NONE")) report(kTlsVerifyOff, i, k, 0.9);
          ++k;
        }
      }
    }
    // Calls that some rule looks at.
    for (uint32_t i = b; i + 1 < e; ++i) {
      if (!is_name(i) || !is_op(i + 1, "(") || !is_interesting_call(text(i))) continue;
      if (i > b && (is_name(i - 1, "def") || is_name(i - 1, "class"))) continue;
      Call call = parse_call(i, i + 1, e, b);
      check_call(call, s, fn);
    }
  }

  // Last name components of every call some rule looks at; other calls are skipped early.
  static bool is_interesting_call(std::string_view last) {
    static const std::unordered_set<std::string_view> kNames = {
        "execute", "executemany", "executescript", "raw", "read_sql", "read_sql_query", "text",
        "render_template_string", "make_response", "Response", "HttpResponse", "Markup",
        "mark_safe", "Template", "Environment", "system", "popen", "popen2", "getoutput",
        "getstatusoutput", "call", "run", "Popen", "check_output", "check_call", "loads", "load",
        "decode", "open", "unsafe_load", "unsafe_load_all", "read_pickle", "Unpickler", "load_all",
        "eval", "exec", "chmod", "lchmod", "fchmod", "mkdir", "makedirs", "umask", "extractall",
        "extract", "send_file", "remove", "unlink", "rmtree", "copy", "copyfile", "move", "rename",
        "chdir", "Path", "listdir", "_create_unverified_context", "md5", "sha1", "new", "ECB",
        "get", "post", "put", "delete", "head", "request", "urlopen", "Request", "redirect",
        "HttpResponseRedirect", "XMLParser", "setFeature", "mktemp", "tempnam", "tmpnam",
        "compile", "match", "search", "fullmatch", "randint", "random", "choice", "choices",
        "randrange", "getrandbits", "sample", "uniform"};
    return kNames.count(last) > 0;
  }

  void check_call(const Call& call, uint32_t s, const Function* fn) {
    // A string_view: comparing it with a literal checks the length first (no strlen, no memcmp
    // for most names), which matters with this many rules.
    const std::string_view c = call.callee;
    std::string_view last = last_component(c);
    uint32_t first = dotted_start(call.name_token, ts_.statements[s].first_token);
    auto flag = [&](const CodeRule& rule, double confidence) {
      report(rule, first, call.close, confidence);
    };
    const Call::Arg* a0 = call.positional(0);

    // SQL: execute(<string built from variables>) — bound parameters are fine.
    if (last == "execute" || last == "executemany" || last == "executescript" || last == "raw" ||
        last == "read_sql" || last == "read_sql_query" || c == "sqlalchemy.text" ||
        c == "sqlalchemy.sql.text" || (last == "text" && modules_.count("sqlalchemy"))) {
      ExprInfo q = arg_info(a0);
      if (q.built_unsafe && q.sql) {
        flag(kSqlInjection, q.tainted ? 0.95 : 0.8);
      }
    }
    // Templates rendered from strings built with values (XSS / SSTI).
    if (last == "render_template_string" || c == "flask.render_template_string") {
      ExprInfo t = arg_info(a0);
      if (t.built_unsafe || t.tainted) flag(kXssTemplateString, t.tainted ? 0.95 : 0.85);
    }
    if (last == "make_response" || last == "Response" || last == "HttpResponse") {
      ExprInfo t = arg_info(a0);
      if (t.html && t.built_unsafe) flag(kXssHtmlResponse, 0.9);
    }
    if (last == "Markup" || last == "mark_safe") {
      ExprInfo t = arg_info(a0);
      if (t.tainted || t.built_unsafe) flag(kXssMarkup, 0.8);
    }
    if (c == "jinja2.Template" || c == "jinja2.Environment" || c == "jinja2.environment.Environment" ||
        c == "jinja2.environment.Template") {
      const Call::Arg* ae = call.keyword("autoescape");
      if (!ae || arg_is(ae, "False")) flag(kXssAutoescapeOff, ae ? 0.95 : 0.8);
    }
    // Shell commands.
    bool shell_true = arg_is(call.keyword("shell"), "True");
    if (c == "os.system" || c == "os.popen" || c == "os.popen2" || c == "commands.getoutput" ||
        c == "subprocess.getoutput" || c == "subprocess.getstatusoutput" ||
        (starts_with(c, "subprocess.") && shell_true)) {
      ExprInfo cmd = arg_info(a0);
      if (!cmd.constant || cmd.tainted || cmd.built_unsafe) {
        flag(kCommandInjection, cmd.tainted ? 0.95 : 0.8);
      }
    }
    // Deserialization that runs code.
    if (c == "pickle.loads" || c == "pickle.load" || c == "cPickle.loads" || c == "cPickle.load" ||
        c == "marshal.loads" || c == "marshal.load" || c == "dill.loads" || c == "dill.load" ||
        c == "jsonpickle.decode" || c == "shelve.open" || c == "yaml.unsafe_load" ||
        c == "yaml.unsafe_load_all" || c == "pandas.read_pickle" || c == "_pickle.loads" ||
        c == "pickle.Unpickler") {
      flag(kDeserialization, 0.9);
    }
    if (c == "yaml.load" || c == "yaml.load_all") {
      const Call::Arg* loader = call.keyword("Loader");
      if (!loader) loader = call.positional(1);
      bool safe = loader && (arg_mentions(loader, "SafeLoader") || arg_mentions(loader, "CSafeLoader") ||
                             arg_mentions(loader, "BaseLoader"));
      if (!safe) flag(kDeserialization, 0.9);
    }
    // eval/exec of something that is not a literal.
    if ((c == "eval" || c == "exec" || c == "builtins.eval" || c == "builtins.exec") &&
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
    if (c == "os.chmod" || c == "os.lchmod" || c == "os.fchmod" || last == "chmod") {
      const Call::Arg* m = call.keyword("mode");
      check_mode(m ? m : (c == "os.chmod" || c == "os.lchmod" || c == "os.fchmod")
                             ? call.positional(1) : call.positional(0));
    }
    if (c == "os.open") check_mode(call.keyword("mode") ? call.keyword("mode") : call.positional(2));
    if (c == "os.mkdir" || c == "os.makedirs") {
      check_mode(call.keyword("mode") ? call.keyword("mode") : call.positional(1));
    }
    if (last == "mkdir" && !starts_with(c, "os.")) check_mode(call.keyword("mode"));
    if (c == "os.umask") {
      long long mask = arg_int(a0);
      if (mask >= 0 && (mask & 02) == 0) flag(kUmask, 0.8);
    }
    // Archive extraction without member checks.
    if (last == "extractall" || (last == "extract" && (contains_ci(c, "tar") || contains_ci(c, "zip")))) {
      const Call::Arg* path = call.keyword("path") ? call.keyword("path") : call.positional(0);
      ExprInfo p = arg_info(path);
      bool filtered = call.keyword("filter") != nullptr;
      const Call::Arg* members = call.keyword("members");
      bool members_checked = members && !arg_mentions(members, "getmembers");
      bool validated = fn ? fn->validates_paths : file_validates_paths();
      if (p.parent_path) {
        flag(kArchiveExtraction, 0.95);
      } else if (!filtered && !members_checked && !validated && !contains_ci(c, "zip")) {
        flag(kArchiveExtraction, 0.85);
      }
    }
    // File operations aimed at '..' or at a path from the request.
    if (c == "open" || c == "io.open" || c == "codecs.open" || last == "send_file" ||
        c == "os.remove" || c == "os.unlink" || c == "shutil.rmtree" || c == "shutil.copy" ||
        c == "shutil.copyfile" || c == "shutil.move" || c == "os.rename" || c == "os.makedirs" ||
        c == "os.chdir" || c == "pathlib.Path" || c == "os.listdir" || last == "extract") {
      ExprInfo p = arg_info(a0);
      bool validated = fn ? fn->validates_paths : file_validates_paths();
      if (p.parent_path) {
        flag(kParentPath, 0.8);
      } else if (p.tainted && !validated) {
        flag(kPathTraversal, 0.85);
      }
    }
    // TLS (keyword settings are checked above for every call).
    if (c == "ssl._create_unverified_context") flag(kTlsVerifyOff, 0.9);
    // Weak hashes for secrets, weak ciphers, non-crypto randomness for secrets.
    if (c == "hashlib.md5" || c == "hashlib.sha1" || c == "md5" || c == "sha1" ||
        (c == "hashlib.new" && a0 && tok_[a0->begin].kind == TokenKind::kString &&
         (contains_ci(ts_.string_body(tok_[a0->begin]), "md5") ||
          contains_ci(ts_.string_body(tok_[a0->begin]), "sha1")))) {
      if (statement_mentions_secret(s)) flag(kWeakHash, 0.85);
    }
    if (contains_ci(c, "des.new") || contains_ci(c, "arc4.new") || contains_ci(c, "blowfish.new") ||
        c == "Crypto.Cipher.DES.new" || arg_mentions(a0, "MODE_ECB") ||
        arg_mentions(call.positional(1), "MODE_ECB") || last == "ECB") {
      flag(kWeakCipher, 0.85);
    }
    if ((starts_with(c, "random.") && c != "random.SystemRandom" && c != "random.seed") &&
        statement_mentions_secret(s)) {
      flag(kInsecureRandom, 0.7);
    }
    // Requests to URLs from the request.
    bool http_client = c == "requests.get" || c == "requests.post" || c == "requests.put" ||
                       c == "requests.delete" || c == "requests.head" || c == "requests.request" ||
                       c == "urllib.request.urlopen" || c == "urllib2.urlopen" || c == "urlopen" ||
                       c == "httpx.get" || c == "httpx.post" || c == "urllib.request.Request";
    if (http_client) {
      ExprInfo u = arg_info(c == "requests.request" ? call.positional(1) : a0);
      bool validated = fn ? fn->validates_urls : false;
      if (u.tainted && !validated) flag(kSsrf, 0.8);
    }
    if (last == "redirect" || last == "HttpResponseRedirect") {
      ExprInfo u = arg_info(a0);
      bool validated = fn ? fn->validates_urls : false;
      if (u.tainted && !validated) flag(kOpenRedirect, 0.8);
    }
    // XML parsers that resolve external entities.
    if (last == "XMLParser" && (arg_is(call.keyword("resolve_entities"), "True") ||
                                arg_is(call.keyword("no_network"), "False"))) {
      flag(kXxe, 0.9);
    }
    if (last == "setFeature" && call.args.size() >= 2 &&
        (arg_mentions(call.positional(0), "feature_external_ges") ||
         arg_mentions(call.positional(0), "feature_external_pes")) &&
        (arg_is(call.positional(1), "True") || arg_is(call.positional(1), "1"))) {
      flag(kXxe, 0.9);
    }
    // Temporary files.
    if (c == "tempfile.mktemp" || c == "os.tempnam" || c == "os.tmpnam") flag(kTempFile, 0.9);
    if ((c == "open" || c == "io.open") && a0 && tok_[a0->begin].kind == TokenKind::kString &&
        a0->end == a0->begin + 1 && starts_with(ts_.string_body(tok_[a0->begin]), "/tmp/")) {
      const Call::Arg* mode = call.positional(1) ? call.positional(1) : call.keyword("mode");
      if (mode && tok_[mode->begin].kind == TokenKind::kString &&
          ts_.string_body(tok_[mode->begin]).find_first_of("wa") != std::string_view::npos) {
        flag(kTempFile, 0.6);
      }
    }
    // Allow-list regexes with an unescaped '.' before a domain label.
    if ((c == "re.compile" || c == "re.match" || c == "re.search" || c == "re.fullmatch") && a0 &&
        tok_[a0->begin].kind == TokenKind::kString) {
      if (hostname_regex_has_unescaped_dot(ts_.string_body(tok_[a0->begin]))) {
        flag(kHostnameRegex, 0.85);
      }
    }
    // Debug mode.
    if (last == "run" && arg_is(call.keyword("debug"), "True")) flag(kDebugMode, 0.7);
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

  bool file_validates_paths() const {
    for (const auto& fn : functions_) {
      if (fn.validates_paths) return true;
    }
    return false;
  }

  bool statement_mentions_secret(uint32_t s) const {
    const Statement& st = ts_.statements[s];
    for (uint32_t i = st.first_token; i < st.end_token; ++i) {
      if (!is_name(i)) continue;
      std::string n = to_lower_ascii(text(i));
      if (n.find("pass") != std::string::npos || n.find("pwd") != std::string::npos ||
          n.find("secret") != std::string::npos || n.find("token") != std::string::npos ||
          n.find("salt") != std::string::npos || n.find("key") != std::string::npos ||
          n.find("otp") != std::string::npos || n.find("nonce") != std::string::npos) {
        return true;
      }
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
    for (uint32_t i = 0; i + 4 < tok_.size(); ++i) {
      if (is_name(i, "jinja_env") && is_op(i + 1, ".") && is_name(i + 2, "autoescape") &&
          is_op(i + 3, "=") && is_name(i + 4, "False")) {
        report(kXssAutoescapeOff, i, i + 4, 0.9);
      }
    }
  }

  const TokenizedSource& ts_;
  const std::vector<Token>& tok_;
  CodeIssues& issues_;
  NameMap<std::string> aliases_;
  std::unordered_set<std::string> modules_;
  NameMap<VarInfo> vars_;
  std::vector<Function> functions_;
  std::vector<int> statement_function_;
};

}  // namespace

void analyze_python(std::string_view code, CodeIssues& issues) {
  thread_local TokenizedSource ts;
  tokenize_python(code, ts);
  Analyzer(ts, issues).run();
}

}  // namespace alignwatch::scan::python
