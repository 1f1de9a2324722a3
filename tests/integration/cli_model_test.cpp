// alignwatch model info|generate|score on the fixture models, as a person would run them.

#include <unistd.h>

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "tests/integration/command_runner.h"

namespace alignwatch {
namespace {

using testing::run_cli;

std::string fixture(const std::string& name) {
  return std::string(ALIGNWATCH_SOURCE_DIR) + "/tests/data/runtime/" + name;
}

nlohmann::json json_of(const testing::CommandRun& run) {
  // JSON goes to stdout; stderr (merged here) is empty on success for --format json.
  auto j = nlohmann::json::parse(run.out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << run.out;
  return j;
}

TEST(CliModelTest, InfoDescribesModelAndGate) {
  auto run = run_cli("model info " + fixture("tiny_qwen2") + " --format json");
  ASSERT_EQ(run.exit_code, 0) << run.out;
  auto j = json_of(run);
  EXPECT_EQ(j["architecture"], "Qwen2ForCausalLM");
  EXPECT_EQ(j["config"]["num_key_value_heads"], 2);
  EXPECT_EQ(j["config"]["attention_bias"], true);
  EXPECT_EQ(j["chat_template"]["kind"], "chatml");
  EXPECT_EQ(j["safety_gate"]["passed"], true);
  auto text = run_cli("model info " + fixture("tiny_llama"));
  ASSERT_EQ(text.exit_code, 0);
  EXPECT_NE(text.out.find("architecture: LlamaForCausalLM"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("safety gate: passed"), std::string::npos);
}

TEST(CliModelTest, InfoRefusesAPlantedPickle) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("aw_cli_model_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  for (const auto& e : fs::directory_iterator(fixture("tiny_llama"))) fs::copy_file(e.path(), dir / e.path().filename());
  fs::copy_file(fixture("pickle/planted_os_system.pt"), dir / "pytorch_model.bin");
  auto run = run_cli("model info " + dir.string() + " --format json");
  EXPECT_EQ(run.exit_code, 1) << run.out;
  auto j = json_of(run);
  EXPECT_EQ(j["safety_gate"]["passed"], false);
  ASSERT_EQ(j["pickle_files"].size(), 1u);
  EXPECT_EQ(j["pickle_files"][0]["loaded"], false);
  bool saw_system = false;
  for (const auto& f : j["pickle_files"][0]["findings"]) {
    if (f["rule_id"] == "pickle.dangerous_import" && f["import"].get<std::string>().ends_with(".system")) saw_system = true;
  }
  EXPECT_TRUE(saw_system) << run.out;
  auto gen = run_cli("model generate --model " + dir.string() + " --prompt hi");
  EXPECT_EQ(gen.exit_code, 2);
  EXPECT_NE(gen.out.find("refused by the safety gate"), std::string::npos) << gen.out;
  fs::remove_all(dir);
}

TEST(CliModelTest, GenerateIsDeterministicPerSeedAndTakesAnAdapter) {
  std::string base = "model generate --model " + fixture("tiny_llama") + " --prompt 'hello world' --max-new-tokens 6 --format json";
  auto a = run_cli(base + " --temperature 1.0 --seed 3 --threads 1");
  auto b = run_cli(base + " --temperature 1.0 --seed 3 --threads 1");
  ASSERT_EQ(a.exit_code, 0) << a.out;
  EXPECT_EQ(json_of(a)["token_ids"], json_of(b)["token_ids"]);
  EXPECT_EQ(json_of(a)["chat_template"], "llama3");
  auto greedy = run_cli(base);
  auto lora = run_cli(base + " --adapter " + fixture("tiny_llama_lora"));
  ASSERT_EQ(lora.exit_code, 0) << lora.out;
  EXPECT_NE(json_of(greedy)["token_ids"], json_of(lora)["token_ids"]);
  auto merged = run_cli(base + " --adapter " + fixture("tiny_llama_lora") + " --merge");
  EXPECT_EQ(json_of(merged)["token_ids"], json_of(lora)["token_ids"]);
  auto wrong = run_cli(base + " --adapter " + fixture("tiny_qwen2_lora"));
  EXPECT_EQ(wrong.exit_code, 2);
  EXPECT_NE(wrong.out.find("wrong base model?"), std::string::npos) << wrong.out;
}

TEST(CliModelTest, ScorePrintsPerTokenLogProbabilities) {
  auto run = run_cli("model score --model " + fixture("tiny_qwen2") + " --prompt 'hello' --continuation ' world the' "
                     "--raw --format json");
  ASSERT_EQ(run.exit_code, 0) << run.out;
  auto j = json_of(run);
  ASSERT_GE(j["tokens"].size(), 2u);
  double sum = 0;
  for (const auto& t : j["tokens"]) {
    EXPECT_LT(t["logprob"].get<double>(), 0.0);
    sum += t["logprob"].get<double>();
  }
  EXPECT_NEAR(j["total_logprob"].get<double>(), sum, 1e-4);
  EXPECT_EQ(j["tokens"][0]["text"], " world");
  auto with = run_cli("model score --model " + fixture("tiny_qwen2") + " --adapter " + fixture("tiny_qwen2_lora") +
                      " --prompt 'hello' --continuation ' world the' --raw --format json");
  ASSERT_EQ(with.exit_code, 0) << with.out;
  EXPECT_GT(std::abs(json_of(with)["total_logprob"].get<double>() - j["total_logprob"].get<double>()), 1e-3);
  auto missing = run_cli("model score --model " + fixture("nope") + " --prompt a --continuation b");
  EXPECT_EQ(missing.exit_code, 2);
}

}  // namespace
}  // namespace alignwatch
