#pragma once
// The identifiers and callees the Python rules look for, as compile-time ids. The analyzer
// interns every name of a source once (NameTable, seeded with kVocabulary); after that a rule
// that asks "is this name `execute`?" compares two integers. Writing Word("execute") or
// KnownCallee("os.system") with a string that is not listed here does not compile.

#include <array>
#include <cstdint>
#include <iterator>
#include <string_view>

namespace alignwatch::scan::python {

// Every identifier some rule compares a name with; the index is the id the name table gives it.
inline constexpr std::string_view kVocabulary[] = {
    "",  // id 0: not a name
    // Statements and operators written as words.
    "def", "async", "class", "return", "for", "in", "import", "from", "as", "and", "or", "not",
    "is", "if", "else", "elif", "except", "finally", "lambda", "True", "False", "None",
    // Web frameworks: route decorators, request objects.
    "route", "get", "post", "put", "delete", "patch", "api_view", "websocket", "view_config",
    "self", "request", "flask", "sys", "input", "raw_input",
    // Path and URL validation.
    "secure_filename", "safe_join", "basename", "commonpath", "is_relative_to", "relative_to",
    "abspath", "realpath", "resolve", "normpath", "startswith", "urlparse", "urlsplit", "netloc",
    "hostname", "is_safe_url", "url_has_allowed_host_and_scheme", "url_for",
    // Sanitisers (last name of the call).
    "escape", "clean", "quote", "quote_plus", "int", "float", "bool", "len", "abs", "round",
    "sanitize", "sanitize_html", "escape_html", "html_escape", "urlencode", "uuid4", "isdigit",
    "strip_tags", "conditional_escape", "format_html", "escape_string", "dumps",
    // Functions that return (a transformation of) the string passed in.
    "str", "join", "format", "strip", "lstrip", "rstrip", "lower", "upper", "replace", "dedent",
    "title", "capitalize",
    // Settings.
    "autoescape", "check_hostname", "verify_mode", "ssl", "CERT_NONE", "debug", "verify",
    "cert_reqs", "jinja_env",
    // Calls some rule looks at (those not listed above).
    "execute", "executemany", "executescript", "raw", "read_sql", "read_sql_query", "text",
    "render_template_string", "make_response", "Response", "HttpResponse", "Markup", "mark_safe",
    "Template", "Environment", "system", "popen", "popen2", "getoutput", "getstatusoutput", "call",
    "run", "Popen", "check_output", "check_call", "loads", "load", "decode", "open", "unsafe_load",
    "unsafe_load_all", "read_pickle", "Unpickler", "load_all", "eval", "exec", "chmod", "lchmod",
    "fchmod", "mkdir", "makedirs", "umask", "extractall", "extract", "send_file", "remove",
    "unlink", "rmtree", "copy", "copyfile", "move", "rename", "chdir", "Path", "listdir",
    "_create_unverified_context", "md5", "sha1", "new", "ECB", "head", "urlopen", "Request",
    "redirect", "HttpResponseRedirect", "XMLParser", "setFeature", "mktemp", "tempnam", "tmpnam",
    "compile", "match", "search", "fullmatch", "randint", "random", "choice", "choices",
    "randrange", "getrandbits", "sample", "uniform",
    // Keyword arguments and names inside arguments.
    "shell", "Loader", "SafeLoader", "CSafeLoader", "BaseLoader", "mode", "S_IWOTH", "S_IRWXO",
    "path", "filter", "members", "getmembers", "MODE_ECB", "resolve_entities", "no_network",
    "feature_external_ges", "feature_external_pes",
};
inline constexpr uint32_t kVocabularySize = static_cast<uint32_t>(std::size(kVocabulary));

constexpr uint32_t vocabulary_id(std::string_view word) {
  for (uint32_t id = 1; id < kVocabularySize; ++id) {
    if (kVocabulary[id] == word) return id;
  }
  throw "word missing from kVocabulary";
}

consteval bool vocabulary_has_no_duplicates() {
  for (uint32_t a = 1; a < kVocabularySize; ++a) {
    for (uint32_t b = a + 1; b < kVocabularySize; ++b) {
      if (kVocabulary[a] == kVocabulary[b]) return false;
    }
  }
  return true;
}
static_assert(vocabulary_has_no_duplicates(), "a word is listed twice in kVocabulary");

// A vocabulary word, found at compile time: is_name(i, "def") takes a Word.
struct Word {
  uint32_t id;
  consteval Word(const char* word) : id(vocabulary_id(word)) {}  // NOLINT: implicit on purpose
};

// What rules know about a word. A name's classes are one table lookup by its id.
enum WordClass : uint16_t {
  kInterestingCall = 1 << 0,  // the last name of a call some rule looks at
  kSanitizerName = 1 << 1,    // the last name of some sanitiser ("escape", "int", "dumps")
  kSanitizesByName = 1 << 2,  // any call with this last name sanitises ("escape", "quote")
  kSourceHead = 1 << 3,       // may start the name of request data ("request.args")
  kStringFunction = 1 << 4,   // returns (a transformation of) the string passed in
  kRouteDecorator = 1 << 5,   // in a decorator, makes the function a route
  kPathCheck = 1 << 6,        // in a function, validates its paths
  kPathNormaliser = 1 << 7,   // validates paths together with startswith
  kUrlCheck = 1 << 8,         // in a function, validates its URLs
  kExprKeyword = 1 << 9,      // a keyword inside an expression, not a value
  kBranchKeyword = 1 << 10,   // starts another branch of an if/try
  kSettingName = 1 << 11,     // `name = value` settings some rule looks at
  kTlsKeywordArg = 1 << 12,   // keyword arguments that turn TLS checks off
};

namespace word_lists {
inline constexpr std::string_view kInterestingCalls[] = {
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
inline constexpr std::string_view kSanitizerNames[] = {
    "escape", "clean", "quote", "quote_plus", "secure_filename", "int", "float", "bool", "len",
    "abs", "round", "basename", "sanitize", "sanitize_html", "escape_html", "html_escape",
    "urlencode", "uuid4", "isdigit", "strip_tags", "conditional_escape", "format_html",
    "escape_string", "dumps"};
inline constexpr std::string_view kSanitizingNames[] = {
    "escape", "quote", "secure_filename", "sanitize", "clean", "escape_string", "quote_plus",
    "basename"};
inline constexpr std::string_view kSourceHeads[] = {"request", "flask", "self", "sys"};
inline constexpr std::string_view kStringFunctions[] = {
    "str", "join", "format", "strip", "lstrip", "rstrip", "lower", "upper", "replace", "dedent",
    "title", "capitalize"};
inline constexpr std::string_view kRouteDecorators[] = {
    "route", "get", "post", "put", "delete", "patch", "api_view", "websocket", "view_config"};
inline constexpr std::string_view kPathChecks[] = {
    "secure_filename", "safe_join", "basename", "commonpath", "is_relative_to", "relative_to"};
inline constexpr std::string_view kPathNormalisers[] = {"abspath", "realpath", "resolve",
                                                        "normpath"};
inline constexpr std::string_view kUrlChecks[] = {
    "urlparse", "urlsplit", "netloc", "hostname", "is_safe_url",
    "url_has_allowed_host_and_scheme", "url_for"};
inline constexpr std::string_view kExprKeywords[] = {"and", "or", "not", "in", "is",
                                                     "if", "else", "for", "lambda"};
inline constexpr std::string_view kBranchKeywords[] = {"else", "elif", "except", "finally"};
inline constexpr std::string_view kSettingNames[] = {"autoescape", "check_hostname",
                                                     "verify_mode", "debug"};
inline constexpr std::string_view kTlsKeywordArgs[] = {"verify", "cert_reqs"};
}  // namespace word_lists

consteval std::array<uint16_t, kVocabularySize> make_word_classes() {
  std::array<uint16_t, kVocabularySize> classes{};
  auto add = [&](const auto& words, WordClass word_class) {
    for (std::string_view w : words) classes[vocabulary_id(w)] |= word_class;
  };
  using namespace word_lists;
  add(kInterestingCalls, kInterestingCall);
  add(kSanitizerNames, kSanitizerName);
  add(kSanitizingNames, kSanitizesByName);
  add(kSourceHeads, kSourceHead);
  add(kStringFunctions, kStringFunction);
  add(kRouteDecorators, kRouteDecorator);
  add(kPathChecks, kPathCheck);
  add(kPathNormalisers, kPathNormaliser);
  add(kUrlChecks, kUrlCheck);
  add(kExprKeywords, kExprKeyword);
  add(kBranchKeywords, kBranchKeyword);
  add(kSettingNames, kSettingName);
  add(kTlsKeywordArgs, kTlsKeywordArg);
  return classes;
}
inline constexpr std::array<uint16_t, kVocabularySize> kWordClasses = make_word_classes();

// Classes of the name with id `name_id`; names outside the vocabulary have none.
inline uint16_t word_classes(uint32_t name_id) {
  return name_id < kVocabularySize ? kWordClasses[name_id] : 0;
}

// Fully qualified callees some rule compares the resolved callee with.
inline constexpr std::string_view kKnownCallees[] = {
    "",  // id 0: any other callee
    "sqlalchemy.text", "sqlalchemy.sql.text", "flask.render_template_string", "jinja2.Template",
    "jinja2.Environment", "jinja2.environment.Environment", "jinja2.environment.Template",
    "os.system", "os.popen", "os.popen2", "commands.getoutput", "subprocess.getoutput",
    "subprocess.getstatusoutput", "pickle.loads", "pickle.load", "cPickle.loads", "cPickle.load",
    "marshal.loads", "marshal.load", "dill.loads", "dill.load", "jsonpickle.decode",
    "shelve.open", "yaml.unsafe_load", "yaml.unsafe_load_all", "pandas.read_pickle",
    "_pickle.loads", "pickle.Unpickler", "yaml.load", "yaml.load_all", "eval", "exec",
    "builtins.eval", "builtins.exec", "os.chmod", "os.lchmod", "os.fchmod", "os.open",
    "os.mkdir", "os.makedirs", "os.umask", "open", "io.open", "codecs.open", "os.remove",
    "os.unlink", "shutil.rmtree", "shutil.copy", "shutil.copyfile", "shutil.move", "os.rename",
    "os.chdir", "pathlib.Path", "os.listdir", "ssl._create_unverified_context", "hashlib.md5",
    "hashlib.sha1", "md5", "sha1", "hashlib.new", "Crypto.Cipher.DES.new",
    "random.SystemRandom", "random.seed", "requests.get", "requests.post", "requests.put",
    "requests.delete", "requests.head", "requests.request", "urllib.request.urlopen",
    "urllib2.urlopen", "urlopen", "httpx.get", "httpx.post", "urllib.request.Request",
    "tempfile.mktemp", "os.tempnam", "os.tmpnam", "re.compile", "re.match", "re.search",
    "re.fullmatch",
};
inline constexpr uint32_t kKnownCalleeCount = static_cast<uint32_t>(std::size(kKnownCallees));

constexpr uint32_t known_callee_id(std::string_view callee) {
  for (uint32_t id = 1; id < kKnownCalleeCount; ++id) {
    if (kKnownCallees[id] == callee) return id;
  }
  throw "callee missing from kKnownCallees";
}

// A fully qualified callee, found at compile time: call.is("os.system").
struct KnownCallee {
  uint32_t id;
  consteval KnownCallee(const char* callee) : id(known_callee_id(callee)) {}  // NOLINT
};

}  // namespace alignwatch::scan::python
