// Pattern rules for the languages other than Python, and the code extractor.

#include <set>
#include <string>

#include <gtest/gtest.h>

#include "scanners/code/code_extractor.h"
#include "scanners/code/pattern_rules.h"

namespace alignwatch::scan {
namespace {

std::set<std::string> rules_in(Language language, std::string_view code) {
  static const PatternRules rules;
  CodeIssues issues;
  rules.scan(language, code, issues);
  std::set<std::string> out;
  for (const auto& i : issues) out.insert(std::string(i.rule->id));
  return out;
}

TEST(PatternRules, C) {
  EXPECT_TRUE(rules_in(Language::kC, "char b[8]; gets(b);").count("c.buffer.gets"));
  EXPECT_TRUE(rules_in(Language::kC, "system(cmd);").count("c.command-injection.system"));
  EXPECT_FALSE(rules_in(Language::kC, "system(\"ls\");").count("c.command-injection.system"));
  EXPECT_TRUE(rules_in(Language::kC, "printf(user_input);").count("c.format-string.variable"));
  EXPECT_FALSE(rules_in(Language::kC, "printf(\"%s\", user_input);").count("c.format-string.variable"));
}

TEST(PatternRules, JavaScript) {
  EXPECT_TRUE(rules_in(Language::kJavaScript, "el.innerHTML = req.query.name;").count("js.xss.inner-html"));
  EXPECT_FALSE(rules_in(Language::kJavaScript, "el.textContent = name;").count("js.xss.inner-html"));
  EXPECT_TRUE(rules_in(Language::kJavaScript, "db.query(`SELECT * FROM u WHERE id = ${id}`)").count("js.sql.string-built-query"));
  EXPECT_FALSE(rules_in(Language::kJavaScript, "db.query('SELECT * FROM u WHERE id = ?', [id])").count("js.sql.string-built-query"));
  EXPECT_TRUE(rules_in(Language::kJavaScript, "exec(`convert ${file}`)").count("js.command-injection.exec"));
  EXPECT_TRUE(rules_in(Language::kJavaScript, "https.get(u, {rejectUnauthorized: false})").count("js.tls.verification-disabled"));
}

TEST(PatternRules, Php) {
  EXPECT_TRUE(rules_in(Language::kPhp, "<?php echo $_GET['q']; ?>").count("php.xss.echo-request"));
  EXPECT_FALSE(rules_in(Language::kPhp, "<?php echo htmlspecialchars($_GET['q']); ?>").count("php.xss.echo-request"));
  EXPECT_TRUE(rules_in(Language::kPhp, "$r = mysqli_query($c, \"SELECT * FROM u WHERE id = $_GET[id]\");").count("php.sql.string-built-query"));
  EXPECT_FALSE(rules_in(Language::kPhp, "$s = $db->prepare('SELECT * FROM u WHERE id = ?'); $s->bind_param('i', $id);").count("php.sql.string-built-query"));
  EXPECT_TRUE(rules_in(Language::kPhp, "include($_GET['page']);").count("php.file-inclusion.request"));
}

TEST(PatternRules, ShellAndSql) {
  EXPECT_TRUE(rules_in(Language::kShell, "curl -s https://x.sh | sudo bash").count("shell.download.pipe-to-shell"));
  EXPECT_TRUE(rules_in(Language::kShell, "chmod -R 777 /srv").count("shell.permissions.world-writable"));
  EXPECT_FALSE(rules_in(Language::kShell, "chmod 755 run.sh").count("shell.permissions.world-writable"));
  EXPECT_TRUE(rules_in(Language::kSql, "GRANT ALL PRIVILEGES ON db.* TO PUBLIC;").count("sql.privileges.grant-all-public"));
}

TEST(CodeExtractor, FencedBlocksWithTagsAndBareCode) {
  std::vector<CodeBlock> blocks;
  std::string answer = "Here you go:\n```python\nimport os\nos.system(x)\n```\nand\n```js\nlet a = 1;\n```\n";
  extract_code_blocks(answer, blocks);
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(blocks[0].language, Language::kPython);
  EXPECT_EQ(answer.substr(blocks[0].begin, blocks[0].end - blocks[0].begin), "import os\nos.system(x)\n");
  EXPECT_EQ(blocks[1].language, Language::kJavaScript);

  blocks.clear();
  extract_code_blocks("import os\n\ndef f(x):\n    return x\n", blocks);
  ASSERT_EQ(blocks.size(), 1u);
  EXPECT_EQ(blocks[0].language, Language::kPython);

  blocks.clear();
  extract_code_blocks("I think the best thing to do is rest. Drink water, and see a doctor.", blocks);
  EXPECT_TRUE(blocks.empty());
}

TEST(CodeExtractor, GuessesLanguages) {
  EXPECT_EQ(guess_language("<?php echo 1; ?>"), Language::kPhp);
  EXPECT_EQ(guess_language("#include <stdio.h>\nint main() {}"), Language::kC);
  EXPECT_EQ(guess_language("#!/bin/bash\necho hi\n"), Language::kShell);
  EXPECT_EQ(guess_language("const x = require('fs');\n"), Language::kJavaScript);
  EXPECT_EQ(guess_language("SELECT a FROM b;\n"), Language::kSql);
}

}  // namespace
}  // namespace alignwatch::scan
