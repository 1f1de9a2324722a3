// The one-shot adapter scan on the runtime's fixtures: its JSON report validates against
// schemas/adapter-report.schema.json, and a wrong base model is refused with the tensor named.
#include "scanners/adapter/adapter_scan.h"

#include <cstdlib>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/unit/runtime/test_files.h"

namespace alignwatch::scan::adapter {
namespace {

using runtime::testing::source_path;

int validate(const std::string& document) {
  runtime::testing::TempDir dir;
  runtime::testing::write_file(dir.file("report.json"), document);
  const std::string command =
      "/usr/bin/python3 -c 'import json, sys, jsonschema\n"
      "schema = json.load(open(sys.argv[1])); doc = json.load(open(sys.argv[2]))\n"
      "jsonschema.Draft202012Validator.check_schema(schema)\n"
      "errors = list(jsonschema.Draft202012Validator(schema).iter_errors(doc))\n"
      "for e in errors[:5]: print(\"schema violation at\", list(e.absolute_path), e.message[:300])\n"
      "sys.exit(1 if errors else 0)' " +
      source_path("schemas/adapter-report.schema.json") + " " + dir.file("report.json");
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

AdapterScanOptions fast() {
  AdapterScanOptions options;
  options.threads = 1;
  options.probes.samples_per_variant = 1;
  options.probes.rounds = 1;
  options.probes.max_new_tokens = 6;
  options.probes.max_sampled_candidates = 2;
  const auto& all = triggers::builtin_probe_suite().probes;
  options.probe_suite = {all[0], all[8], all[14]};
  options.search.iterations = 3;
  options.search.batch = 8;
  return options;
}

TEST(AdapterScan, TheJsonReportFollowsItsSchema) {
  auto report = scan_adapter(source_path("tests/data/runtime/tiny_llama_lora"), source_path("tests/data/runtime/tiny_llama"), fast());
  ASSERT_TRUE(report.has_value()) << report.error().to_string();
  EXPECT_EQ(report->weight_screen.modules.size(), 14u);
  // Every library trigger at each of its placements, and tier 2's string when the search gained
  // enough to be worth verifying (the random fixture is clean by tier 1, so tier 2 ran).
  ASSERT_TRUE(report->recovery.ran);
  const auto& search = report->recovery.search;
  const bool verified_candidate = search.best_contrast - search.initial_contrast >= fast().min_recovery_gain;
  size_t pairs = 0;
  for (const auto& t : triggers::builtin_trigger_library()) pairs += t.placements.size();
  EXPECT_EQ(report->probes.candidates.size(), pairs + (verified_candidate ? 1 : 0));
  EXPECT_EQ(search.iterations, 3u);
  const std::string with_samples = adapter_report_json(*report, true);
  EXPECT_EQ(validate(with_samples), 0);
  EXPECT_EQ(validate(adapter_report_json(*report, false)), 0);
  auto json = nlohmann::json::parse(with_samples);
  EXPECT_EQ(json["tiers"]["probes"]["samples"].size(), report->probes.samples.size());
  // A document that breaks the schema is caught (the check can fail).
  json["verdict"] = "probably fine";
  EXPECT_EQ(validate(json.dump()), 1);
  EXPECT_NE(adapter_report_text(*report).find("tier 0: 14 modules"), std::string::npos);
}

TEST(AdapterScan, AnAdapterForAnotherBaseIsRefused) {
  auto report = scan_adapter(source_path("tests/data/runtime/tiny_qwen2_lora"), source_path("tests/data/runtime/tiny_llama"), fast());
  ASSERT_FALSE(report.has_value());
  EXPECT_NE(report.error().to_string().find("adapter"), std::string::npos) << report.error().to_string();
  auto missing = scan_adapter(source_path("tests/data/runtime/tiny_llama_lora"), "/nonexistent/base", fast());
  ASSERT_FALSE(missing.has_value());
}

}  // namespace
}  // namespace alignwatch::scan::adapter
