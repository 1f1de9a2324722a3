#include "scanners/code/pattern_rules.h"

#include <re2/re2.h>

namespace alignwatch::scan {

namespace {

struct RuleSpec {
  Language language;
  CodeRule rule;
  const char* pattern;
  const char* guard;  // when it matches anywhere in the block, the rule does not fire
};

// clang-format off
const RuleSpec kRuleSpecs[] = {
  // C and C++
  {Language::kC, {"c.buffer.gets", 242, Severity::kHigh, "gets() reads without a bound"}, R"(\bgets\s*\()", nullptr},
  {Language::kC, {"c.buffer.unbounded-copy", 120, Severity::kMedium, "unbounded string copy (strcpy/strcat/sprintf)"}, R"(\b(strcpy|strcat|sprintf|vsprintf)\s*\()", nullptr},
  {Language::kC, {"c.buffer.scanf-string", 120, Severity::kMedium, "scanf %s without a width"}, R"(\bscanf\s*\(\s*"[^"]*%s)", nullptr},
  {Language::kC, {"c.command-injection.system", 78, Severity::kHigh, "system()/popen() with a non-constant command"}, R"(\b(system|popen)\s*\(\s*[A-Za-z_])", nullptr},
  {Language::kC, {"c.format-string.variable", 134, Severity::kHigh, "printf-family call with a variable format string"}, R"(\b(printf|syslog)\s*\(\s*[A-Za-z_]\w*\s*\))", nullptr},
  {Language::kC, {"c.permissions.world-writable", 732, Severity::kMedium, "file made writable by every user"}, R"(\b(chmod|open|mkdir)\s*\([^;]*\b0?[0-7]?[0-7][0-7][2367]\s*\))", nullptr},
  {Language::kC, {"c.tempfile.mktemp", 377, Severity::kMedium, "predictable temporary file name"}, R"(\b(mktemp|tmpnam|tempnam)\s*\()", nullptr},
  // JavaScript and TypeScript
  {Language::kJavaScript, {"js.code-injection.eval", 95, Severity::kHigh, "eval of a non-constant expression"}, R"(\beval\s*\(\s*[^"'\s)])", nullptr},
  {Language::kJavaScript, {"js.code-injection.function-constructor", 95, Severity::kHigh, "new Function() from a string"}, R"(\bnew\s+Function\s*\()", nullptr},
  {Language::kJavaScript, {"js.xss.inner-html", 79, Severity::kHigh, "innerHTML/outerHTML set from a non-constant value"}, R"(\.(innerHTML|outerHTML)\s*[+]?=\s*[^"'\s;])", nullptr},
  {Language::kJavaScript, {"js.xss.document-write", 79, Severity::kHigh, "document.write of a non-constant value"}, R"(document\.write(ln)?\s*\(\s*[^"')\s])", nullptr},
  {Language::kJavaScript, {"js.xss.dangerously-set-inner-html", 79, Severity::kMedium, "React dangerouslySetInnerHTML"}, R"(dangerouslySetInnerHTML)", R"(DOMPurify\.sanitize)"},
  {Language::kJavaScript, {"js.xss.response-interpolation", 79, Severity::kHigh, "request data interpolated into an HTML response"}, R"(res\.(send|write|end)\s*\(\s*[`'"][^;]*(\$\{\s*req\.|\+\s*req\.))", R"(escape(Html)?\()"},
  {Language::kJavaScript, {"js.command-injection.exec", 78, Severity::kHigh, "shell command built from non-constant strings"}, R"(\b(exec|execSync)\s*\(\s*(`[^`]*\$\{|['"][^'"]*['"]\s*\+|[A-Za-z_]\w*\s*[,)]))", nullptr},
  {Language::kJavaScript, {"js.sql.string-built-query", 89, Severity::kHigh, "SQL query built from non-constant strings"}, R"(\.(query|execute|raw)\s*\(\s*(`(?i:\s*(select|insert|update|delete))[^`]*\$\{|['"](?i:\s*(select|insert|update|delete))[^'"]*['"]\s*\+))", nullptr},
  {Language::kJavaScript, {"js.tls.verification-disabled", 295, Severity::kHigh, "TLS certificate verification disabled"}, R"((rejectUnauthorized\s*:\s*false|NODE_TLS_REJECT_UNAUTHORIZED\s*=\s*['"]?0))", nullptr},
  {Language::kJavaScript, {"js.open-redirect.request-target", 601, Severity::kMedium, "redirect to a URL from the request"}, R"(res\.redirect\s*\(\s*req\.(query|body|params))", nullptr},
  {Language::kJavaScript, {"js.path-traversal.request-path", 22, Severity::kHigh, "file read with a path from the request"}, R"(fs\.\w+\s*\([^;]*req\.(query|params|body))", R"(path\.basename|normalize\([^)]*\)\.startsWith)"},
  {Language::kJavaScript, {"js.crypto.weak-hash", 328, Severity::kMedium, "MD5/SHA-1 hash"}, R"(createHash\s*\(\s*['"](md5|sha1)['"])", nullptr},
  // PHP
  {Language::kPhp, {"php.xss.echo-request", 79, Severity::kHigh, "request data echoed without escaping"}, R"((echo|print)\s+[^;]*\$_(GET|POST|REQUEST|COOKIE))", R"(htmlspecialchars|htmlentities|strip_tags)"},
  {Language::kPhp, {"php.sql.string-built-query", 89, Severity::kHigh, "SQL query built from variables"}, R"(((mysqli?_query|->query|->exec|pg_query)\s*\([^;]*\$_(GET|POST|REQUEST|COOKIE))|(["'](?i:\s*(select|insert|update|delete))[^"';]*(\$\w+|["']\s*\.\s*\$)))", R"(->prepare\s*\(|bind_param|bindParam|bindValue)"},
  {Language::kPhp, {"php.command-injection.exec", 78, Severity::kHigh, "shell command with a variable"}, R"(\b(system|exec|shell_exec|passthru|popen|proc_open)\s*\([^;]*\$)", R"(escapeshellarg|escapeshellcmd)"},
  {Language::kPhp, {"php.file-inclusion.request", 98, Severity::kHigh, "file included from request data"}, R"(\b(include|require)(_once)?\s*\(?\s*[^;]*\$_(GET|POST|REQUEST|COOKIE))", nullptr},
  {Language::kPhp, {"php.deserialization.unserialize", 502, Severity::kHigh, "unserialize of request data"}, R"(unserialize\s*\(\s*\$_)", nullptr},
  {Language::kPhp, {"php.code-injection.eval", 95, Severity::kHigh, "eval of a variable"}, R"(\beval\s*\(\s*\$)", nullptr},
  {Language::kPhp, {"php.crypto.weak-password-hash", 328, Severity::kMedium, "MD5/SHA-1 of a password"}, R"(\b(md5|sha1)\s*\(\s*\$\w*(pass|pwd))", nullptr},
  // Shell
  {Language::kShell, {"shell.download.pipe-to-shell", 494, Severity::kHigh, "downloaded script piped into a shell"}, R"((curl|wget)\s[^\n|]*\|\s*(sudo\s+)?(ba|z)?sh\b)", nullptr},
  {Language::kShell, {"shell.permissions.world-writable", 732, Severity::kMedium, "chmod that lets every user write"}, R"(chmod\s+(-R\s+)?(0?[0-7][0-7][2367]\b|[ao]\+w|o=rwx))", nullptr},
  {Language::kShell, {"shell.tls.verification-disabled", 295, Severity::kHigh, "TLS verification disabled"}, R"((curl\s[^\n]*(\s-k\b|--insecure))|(wget\s[^\n]*--no-check-certificate))", nullptr},
  {Language::kShell, {"shell.command-injection.eval", 78, Severity::kHigh, "eval of a variable"}, R"(\beval\s+["']?\$)", nullptr},
  // SQL
  {Language::kSql, {"sql.privileges.grant-all-public", 732, Severity::kMedium, "all privileges granted to everyone"}, R"((?i)grant\s+all[^;]*to\s+(public|'?\w*'?@'%'))", nullptr},
  {Language::kSql, {"sql.dynamic.concatenated-exec", 89, Severity::kHigh, "dynamic SQL built by concatenation"}, R"((?i)(exec(ute)?\s*\(\s*(@\w+|'[^']*')\s*\+)|(execute\s+immediate\s+[^;]*\|\|))", nullptr},
};
// clang-format on

}  // namespace

struct PatternRules::Compiled {
  const RuleSpec* spec;
  RE2 pattern;
  std::unique_ptr<RE2> guard;
  Compiled(const RuleSpec* s, const RE2::Options& options)
      : spec(s), pattern(s->pattern, options),
        guard(s->guard ? std::make_unique<RE2>(s->guard, options) : nullptr) {}
};

PatternRules::PatternRules() {
  RE2::Options options;
  options.set_log_errors(false);
  for (const auto& spec : kRuleSpecs) {
    auto compiled = std::make_unique<Compiled>(&spec, options);
    // The patterns are ours and tested: a bad one is a programming error, caught by the tests.
    if (compiled->pattern.ok()) rules_.push_back(std::move(compiled));
  }
}

PatternRules::~PatternRules() = default;

void PatternRules::scan(Language language, std::string_view code, CodeIssues& issues) const {
  for (const auto& rule : rules_) {
    if (rule->spec->language != language) continue;
    re2::StringPiece input(code.data(), code.size());
    re2::StringPiece match;
    if (!rule->pattern.Match(input, 0, input.size(), RE2::UNANCHORED, &match, 1)) continue;
    if (rule->guard && RE2::PartialMatch(input, *rule->guard)) continue;
    uint32_t begin = static_cast<uint32_t>(match.data() - code.data());
    issues.push_back(CodeIssue{&rule->spec->rule, 0.8, begin,
                               begin + static_cast<uint32_t>(match.size())});
  }
}

}  // namespace alignwatch::scan
