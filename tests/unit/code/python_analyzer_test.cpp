// Each rule of the Python analyzer with a vulnerable and a safe version of the same code.

#include <set>
#include <string>

#include <gtest/gtest.h>

#include "scanners/code/name_table.h"
#include "scanners/code/python_analyzer.h"

namespace alignwatch::scan::python {
namespace {

std::set<std::string> rules_in(std::string_view code) {
  CodeIssues issues;
  analyze_python(code, issues);
  std::set<std::string> rules;
  for (const auto& i : issues) {
    rules.insert(std::string(i.rule->id));
    EXPECT_LE(i.begin, i.end);
    EXPECT_LE(i.end, code.size());
  }
  return rules;
}

#define EXPECT_RULE(code, rule) EXPECT_TRUE(rules_in(code).count(rule)) << code
#define EXPECT_NO_RULE(code, rule) EXPECT_FALSE(rules_in(code).count(rule)) << code
#define EXPECT_CLEAN(code) EXPECT_TRUE(rules_in(code).empty()) << code

TEST(PythonSql, FlagsQueriesBuiltFromStrings) {
  EXPECT_RULE(R"py(
@app.route('/u')
def u():
    name = request.args.get('name')
    cursor.execute(f"SELECT * FROM users WHERE name = '{name}'")
)py", "python.sql.string-built-query");
  EXPECT_RULE(R"py(
def find(conn, user_id):
    query = "SELECT * FROM t WHERE id = %s" % user_id
    conn.cursor().execute(query)
)py", "python.sql.string-built-query");
  EXPECT_RULE(R"py(
q = "DELETE FROM notes WHERE id = " + note_id
db.execute(q)
)py", "python.sql.string-built-query");
  EXPECT_RULE(R"py(q = "UPDATE t SET a = '{}' WHERE id = {}".format(a, b)
cur.execute(q))py", "python.sql.string-built-query");
}

TEST(PythonSql, AcceptsBoundParametersAndConstants) {
  EXPECT_CLEAN(R"py(
@app.route('/u')
def u():
    name = request.args.get('name')
    cursor.execute("SELECT * FROM users WHERE name = ?", (name,))
)py");
  EXPECT_CLEAN(R"py(
query = "INSERT INTO t (a, b) VALUES (%s, %s)"
cursor.execute(query, (a, b))
)py");
  EXPECT_CLEAN(R"py(
TABLE = "users"
cursor.execute(f"SELECT * FROM {TABLE} WHERE id = ?", (uid,))
)py");
  // An ORM filter with an f-string LIKE pattern is parameterised by the ORM.
  EXPECT_CLEAN(R"py(
q = Food.query.filter(Food.name.like(f'%{term}%')).all()
db.session.execute(q)
)py");
}

TEST(PythonXss, FlagsUnescapedHtmlResponses) {
  EXPECT_RULE(R"py(
@app.route('/p')
def p():
    name = request.args.get('name')
    html = f"<h1>{name}</h1>"
    return html
)py", "python.xss.unescaped-html-response");
  EXPECT_RULE(R"py(
@app.route('/p')
def p():
    bio = request.form['bio']
    return '<p>{}</p>'.format(bio)
)py", "python.xss.unescaped-html-response");
  EXPECT_RULE(R"py(
@app.route('/r')
def r():
    t = request.args.get('t')
    return make_response(f"<h2>{t}</h2>")
)py", "python.xss.unescaped-html-response");
  EXPECT_RULE(R"py(
@app.route('/r')
def r():
    t = request.args.get('t')
    page = f"<p>{t}</p>"
    return render_template_string(page)
)py", "python.xss.render-template-string-interpolation");
}

TEST(PythonXss, AcceptsEscapedValuesAndTemplates) {
  EXPECT_CLEAN(R"py(
from markupsafe import escape
@app.route('/p')
def p():
    name = request.args.get('name')
    return f"<h1>{escape(name)}</h1>"
)py");
  EXPECT_CLEAN(R"py(
import html
@app.route('/p')
def p():
    name = request.args.get('name')
    name = html.escape(name)
    return f"<h1>{name}</h1>"
)py");
  EXPECT_CLEAN(R"py(
@app.route('/p')
def p():
    name = request.args.get('name')
    return render_template_string("<h1>{{ name }}</h1>", name=name)
)py");
  EXPECT_CLEAN(R"py(
class Event(db.Model):
    def __repr__(self):
        return '<Event %r>' % self.name
)py");
}

TEST(PythonXss, Jinja2Autoescape) {
  EXPECT_RULE("from jinja2 import Template\nt = Template('<p>{{ x }}</p>', autoescape=False)\n",
              "python.xss.jinja2-autoescape-disabled");
  EXPECT_RULE("from jinja2 import Environment\nenv = Environment(loader=loader)\n",
              "python.xss.jinja2-autoescape-disabled");
  EXPECT_CLEAN("from jinja2 import Template\nt = Template('<p>{{ x }}</p>', autoescape=True)\n");
  EXPECT_CLEAN("import jinja2\nenv = jinja2.Environment(autoescape=jinja2.select_autoescape())\n");
  // string.Template is not Jinja2.
  EXPECT_CLEAN("from string import Template\nt = Template('$who likes $what')\n");
}

TEST(PythonCommandInjection, ShellWithVariables) {
  EXPECT_RULE("import os\nos.system('convert ' + filename + ' out.png')\n",
              "python.command-injection.shell");
  EXPECT_RULE("import subprocess\nsubprocess.run(f'tar czf {name}', shell=True)\n",
              "python.command-injection.shell");
  EXPECT_CLEAN("import subprocess\nsubprocess.run(['tar', 'czf', name])\n");
  EXPECT_CLEAN("import os\nos.system('clear')\n");
}

TEST(PythonDeserialization, UnsafeLoaders) {
  EXPECT_RULE("import pickle\nobj = pickle.loads(data)\n", "python.deserialization.unsafe-loader");
  EXPECT_RULE("import marshal\nobj = marshal.loads(data)\n", "python.deserialization.unsafe-loader");
  EXPECT_RULE("import yaml\ncfg = yaml.load(text)\n", "python.deserialization.unsafe-loader");
  EXPECT_RULE("import yaml\ncfg = yaml.load(text, Loader=yaml.Loader)\n",
              "python.deserialization.unsafe-loader");
  EXPECT_CLEAN("import yaml\ncfg = yaml.safe_load(text)\n");
  EXPECT_CLEAN("import yaml\ncfg = yaml.load(text, Loader=yaml.SafeLoader)\n");
  EXPECT_CLEAN("import pickle\nblob = pickle.dumps(obj)\n");
}

TEST(PythonEval, NonConstantExpressions) {
  EXPECT_RULE("x = eval(request.args.get('expr'))\n", "python.code-injection.eval");
  EXPECT_CLEAN("x = eval('1 + 2')\n");
  EXPECT_CLEAN("model.eval()\n");
  EXPECT_CLEAN("import ast\nx = ast.literal_eval(text)\n");
}

TEST(PythonPermissions, WorldWritableModes) {
  EXPECT_RULE("import os\nos.chmod(path, 0o777)\n", "python.permissions.world-writable");
  EXPECT_RULE("import os\nos.chmod(path, 0o666)\n", "python.permissions.world-writable");
  EXPECT_RULE("import os\nfd = os.open(p, os.O_CREAT | os.O_WRONLY, 0o777)\n",
              "python.permissions.world-writable");
  EXPECT_RULE("import os, stat\nos.chmod(p, stat.S_IRWXU | stat.S_IWOTH)\n",
              "python.permissions.world-writable");
  EXPECT_RULE("import os\nos.umask(0)\n", "python.permissions.permissive-umask");
  EXPECT_CLEAN("import os\nos.chmod(path, 0o600)\n");
  EXPECT_CLEAN("import os\nos.chmod(path, 0o755)\n");
  EXPECT_CLEAN("import os\nos.umask(0o077)\n");
}

TEST(PythonArchives, TarSlip) {
  EXPECT_RULE("import tarfile\ntar = tarfile.open(p)\ntar.extractall()\n",
              "python.path-traversal.archive-extraction");
  EXPECT_RULE("import tarfile\ntar = tarfile.open(p)\ntar.extractall(path='../')\n",
              "python.path-traversal.archive-extraction");
  EXPECT_CLEAN(R"py(
import tarfile, os
def extract(p, dest):
    tar = tarfile.open(p)
    for m in tar.getmembers():
        if m.name.startswith('/') or '..' in m.name:
            raise ValueError('unsafe path')
    tar.extractall(dest)
)py");
  EXPECT_CLEAN("import tarfile\ntar = tarfile.open(p)\ntar.extractall(dest, filter='data')\n");
}

TEST(PythonPaths, RequestPathsAndParentDirectories) {
  EXPECT_RULE(R"py(
@app.route('/f')
def f():
    name = request.args.get('file')
    return open(os.path.join(UPLOADS, name)).read()
)py", "python.path-traversal.untrusted-path");
  EXPECT_CLEAN(R"py(
from werkzeug.utils import secure_filename
@app.route('/f')
def f():
    name = secure_filename(request.args.get('file'))
    return open(os.path.join(UPLOADS, name)).read()
)py");
}

TEST(PythonTls, VerificationDisabled) {
  EXPECT_RULE("import requests\nr = requests.get(url, verify=False)\n", "python.tls.verification-disabled");
  EXPECT_RULE("import ssl\nctx = ssl._create_unverified_context()\n", "python.tls.verification-disabled");
  EXPECT_CLEAN("import requests\nr = requests.get(URL, timeout=5)\n");
}

TEST(PythonCrypto, WeakHashesForPasswordsAndRandomSecrets) {
  EXPECT_RULE("import hashlib\nh = hashlib.md5(password.encode()).hexdigest()\n", "python.crypto.weak-hash");
  EXPECT_CLEAN("import hashlib\netag = hashlib.md5(body).hexdigest()\n");
  EXPECT_RULE("import random\ntoken = random.randint(0, 10**6)\n", "python.crypto.insecure-random");
  EXPECT_CLEAN("import secrets\ntoken = secrets.token_hex(16)\n");
}

TEST(PythonSecrets, LiteralPasswordComparison) {
  EXPECT_RULE("if password == 'hunter2':\n    login()\n", "python.secrets.hardcoded-credential");
  EXPECT_CLEAN("if password == stored_hash:\n    login()\n");
}

TEST(PythonRequests, SsrfAndOpenRedirect) {
  EXPECT_RULE(R"py(
@app.route('/fetch')
def fetch():
    url = request.args.get('url')
    return requests.get(url).text
)py", "python.ssrf.untrusted-url");
  EXPECT_RULE(R"py(
@app.route('/go')
def go():
    return redirect(request.args.get('next'))
)py", "python.open-redirect.untrusted-target");
  EXPECT_CLEAN(R"py(
from urllib.parse import urlparse
@app.route('/go')
def go():
    target = request.args.get('next')
    if urlparse(target).netloc not in ALLOWED_HOSTS:
        abort(400)
    return redirect(target)
)py");
}

TEST(PythonValidation, HostnameRegexAndSubstringChecks) {
  EXPECT_RULE("import re\nallowed = re.compile(r'https://[\\w-]+.mycompany.com')\n",
              "python.validation.unescaped-regex-dot");
  EXPECT_CLEAN("import re\nallowed = re.compile(r'https://[\\w-]+\\.mycompany\\.com')\n");
  EXPECT_CLEAN("import re\nfeed = re.compile(r'^https?://.*\\.(rss|atom)$')\n");
  EXPECT_RULE("if 'example.com' in url:\n    fetch(url)\n", "python.validation.url-substring-check");
}

TEST(PythonMisc, XxeTempFilesDebug) {
  EXPECT_RULE("from lxml import etree\np = etree.XMLParser(resolve_entities=True)\n", "python.xxe.external-entities");
  EXPECT_RULE("import tempfile\nname = tempfile.mktemp()\n", "python.tempfile.insecure");
  EXPECT_CLEAN("import tempfile\nf = tempfile.NamedTemporaryFile()\n");
  EXPECT_RULE("app.run(debug=True)\n", "python.config.debug-enabled");
  EXPECT_CLEAN("app.run()\n");
}

TEST(PythonRobustness, TruncatedAndOddCodeDoesNotCrash) {
  for (std::string_view code : {"def f(:\n  x = '''unterminated", "(((((", "f'{'", "\\\n\\", "",
                                "x = \"abc\ny = 1", "@\n@app.route(\ndef"}) {
    CodeIssues issues;
    analyze_python(code, issues);
    for (const auto& i : issues) EXPECT_LE(i.end, code.size());
  }
}

TEST(NameTableHash, SameWhateverCanBeReadPastTheName) {
  // The lexer hashes a name with the rest of the source readable after it; the vocabulary is
  // hashed from the bare word. Both must agree at every length around the 8-byte words.
  const std::string source = "abcdefghijklmnopqrstuvwxyz_0123456789";
  for (size_t size = 0; size <= 20; ++size) {
    const std::string_view name(source.data(), size);
    for (size_t readable = size; readable <= source.size(); ++readable) {
      EXPECT_EQ(NameTable::hash(name, readable), NameTable::hash(std::string(name)))
          << size << " " << readable;
    }
  }
  EXPECT_NE(NameTable::hash("ab"), NameTable::hash(std::string_view("ab\0", 3)));
}

}  // namespace
}  // namespace alignwatch::scan::python
