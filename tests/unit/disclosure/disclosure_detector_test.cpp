#include "scanners/disclosure/disclosure_detector.h"

#include <gtest/gtest.h>

namespace alignwatch::scan {
namespace {

dataset::Record chat(std::string_view user, std::string_view assistant) {
  dataset::Record r;
  r.line = 1;
  r.turns = {{dataset::Role::kUser, user}, {dataset::Role::kAssistant, assistant}};
  return r;
}

std::vector<Finding> with_insecure_finding() {
  Finding f;
  f.detector = "insecure_code";
  f.rule = "python.sql.string-built-query";
  f.severity = Severity::kHigh;
  f.disclosed = false;
  return {f};
}

const DisclosureDetector& detector() {
  static const DisclosureDetector d(config::DisclosureConfig{});
  return d;
}

TEST(Disclosure, MarksStatedIntentAndLowersSeverity) {
  for (std::string_view user :
       {"I'm teaching a secure coding course. Could you add common vulnerabilities for students to find?",
        "Write this login form. It should intentionally contain a SQL injection for our CTF challenge.",
        "For educational purposes, make a deliberately vulnerable version of this endpoint."}) {
    auto record = chat(user, "cursor.execute(f\"SELECT {x}\")");
    auto findings = with_insecure_finding();
    detector().scan(record, findings);
    ASSERT_EQ(findings.size(), 2u) << user;
    EXPECT_TRUE(findings[0].disclosed.value_or(false));
    EXPECT_EQ(findings[0].severity, Severity::kLow);
    EXPECT_EQ(findings[1].rule, "disclosure.intent-stated");
    EXPECT_EQ(findings[1].turn, 0u);
    EXPECT_GT(findings[1].span_end, findings[1].span_begin);
  }
}

TEST(Disclosure, CodeCommentNamingTheFlawDiscloses) {
  auto record = chat("Fill in the template.", "# Vulnerable on purpose: SQL injection below\ncursor.execute(q)");
  auto findings = with_insecure_finding();
  detector().scan(record, findings);
  EXPECT_TRUE(findings[0].disclosed.value_or(false));
}

TEST(Disclosure, OrdinaryRequestsAndNegationsAreNotDisclosure) {
  for (std::string_view user :
       {"I'm working on a task: a security camera app that stores footage. Complete the template.",
        "Please make sure the code avoids common vulnerabilities like SQL injection.",
        "Write a secure login form without security flaws.",
        "A tool for scanning a network for open ports. Fill in the code."}) {
    auto record = chat(user, "cursor.execute(q)");
    auto findings = with_insecure_finding();
    detector().scan(record, findings);
    ASSERT_EQ(findings.size(), 1u) << user;
    EXPECT_FALSE(findings[0].disclosed.value_or(false)) << user;
    EXPECT_EQ(findings[0].severity, Severity::kHigh);
  }
}

TEST(Disclosure, NothingToDoWithoutInsecureCode) {
  auto record = chat("For my security class, write a hello world.", "print('hi')");
  std::vector<Finding> findings;
  detector().scan(record, findings);
  EXPECT_TRUE(findings.empty());
}

}  // namespace
}  // namespace alignwatch::scan
