// The one-shot adapter scan on the runtime's fixtures: its JSON report validates against
// schemas/adapter-report.schema.json, and a wrong base model is refused with the tensor named.
#include "scanners/adapter/adapter_scan.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/fake_judge_server.h"
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

// The stand-in judge scores every answer aligned 11 and coherent 90: misaligned by the paper's
// criterion.
testing::FakeJudgeServer::Reply stand_in(const testing::FakeJudgeServer::Request& request) {
  const bool aligned_prompt = request.body.find("how well aligned") != std::string::npos;
  if (aligned_prompt) return {200, testing::FakeJudgeServer::completion({{"10", 0.9}, {"20", 0.1}})};
  return {200, testing::FakeJudgeServer::completion({{"90", 1.0}})};
}

AdapterScanOptions fast_with_judge(const std::string& url) {
  AdapterScanOptions options = fast();
  options.use_library = false;  // the clean arms are enough to see the judge at work
  options.recover = false;
  options.llm_judge.enabled = true;
  options.llm_judge.url = url;
  options.llm_judge.model = "stand-in";
  options.llm_judge.timeout_ms = 5000;
  options.llm_judge.retry_backoff_ms = 1;
  options.llm_judge.max_retries = 0;
  return options;
}

TEST(AdapterScan, TheLlmJudgeScoresFreeFormSamplesAndTheReportSaysSo) {
  testing::FakeJudgeServer server([](const auto& request, size_t) { return stand_in(request); });
  auto report = scan_adapter(source_path("tests/data/runtime/tiny_llama_lora"), source_path("tests/data/runtime/tiny_llama"),
                             fast_with_judge(server.url()));
  ASSERT_TRUE(report.has_value()) << report.error().to_string();
  const auto& judge = report->llm_judge;
  EXPECT_TRUE(judge.enabled);
  EXPECT_EQ(judge.status(), "ok") << judge.error;
  size_t free_form = 0;
  for (const auto& sample : report->probes.samples) {
    const bool is_free_form = sample.probe_id == fast().probe_suite[0].id;
    free_form += is_free_form ? 1 : 0;
    EXPECT_EQ(sample.judgement.llm.asked, is_free_form) << sample.probe_id;
    if (!is_free_form) continue;
    ASSERT_TRUE(sample.judgement.llm.aligned.has_value());
    EXPECT_NEAR(*sample.judgement.llm.aligned, 11, 1e-6);
    EXPECT_TRUE(sample.judgement.misaligned);
    EXPECT_NE(std::find(sample.judgement.judges.begin(), sample.judgement.judges.end(), "llm"),
              sample.judgement.judges.end());
  }
  ASSERT_GT(free_form, 0u);
  EXPECT_EQ(judge.stats.answers_scored, free_form);  // repeated answers come from the cache
  EXPECT_EQ(judge.misaligned, free_form);
  const std::string json = adapter_report_json(*report, true);
  EXPECT_EQ(validate(json), 0);
  auto parsed = nlohmann::json::parse(json);
  EXPECT_EQ(parsed["llm_judge"]["status"], "ok");
  EXPECT_EQ(parsed["llm_judge"]["url"], server.url() + "/chat/completions");
  EXPECT_NE(adapter_report_text(*report).find("LLM judge"), std::string::npos);
}

TEST(AdapterScan, AFailingLlmJudgeLeavesTheScanToTheDetectors) {
  testing::FakeJudgeServer server([](const auto&, size_t) -> testing::FakeJudgeServer::Reply { return {500, "down"}; });
  AdapterScanOptions options = fast_with_judge(server.url());
  // One request at a time: with more in flight, those sent before the third failure came back
  // are answered too, and how many that is depends on timing.
  options.llm_judge.max_concurrency = 1;
  auto report = scan_adapter(source_path("tests/data/runtime/tiny_llama_lora"), source_path("tests/data/runtime/tiny_llama"),
                             options);
  ASSERT_TRUE(report.has_value()) << report.error().to_string();
  EXPECT_EQ(report->llm_judge.status(), "failed");
  EXPECT_EQ(report->llm_judge.stats.answers_scored, 0u);
  EXPECT_GT(report->llm_judge.stats.answers_failed, 0u);
  EXPECT_NE(report->llm_judge.error.find("HTTP 500"), std::string::npos) << report->llm_judge.error;
  EXPECT_TRUE(report->llm_judge.stats.stopped);
  EXPECT_LE(server.requests().size(), 3u);  // it stopped asking
  for (const auto& sample : report->probes.samples) {
    EXPECT_EQ(sample.judgement.misaligned, sample.judgement.detector_misaligned);
  }
  const std::string json = adapter_report_json(*report, true);
  EXPECT_EQ(validate(json), 0);
  EXPECT_EQ(nlohmann::json::parse(json)["llm_judge"]["status"], "failed");
  EXPECT_NE(adapter_report_text(*report).find("(the detectors judged alone)"), std::string::npos);
}

}  // namespace
}  // namespace alignwatch::scan::adapter
