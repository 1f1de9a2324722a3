// Tier 0: the LoRA weight screen on adapters whose spectra are known by construction.
#include "scanners/adapter/weight_screen.h"

#include <cmath>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "runtime/lora_adapter.h"
#include "runtime/model_config.h"
#include "tests/unit/runtime/test_files.h"

namespace alignwatch::scan::adapter {
namespace {

using runtime::testing::TempDir;
using Matrix = std::vector<std::vector<float>>;  // rows

const std::string kBaseDir = runtime::testing::source_path("tests/data/runtime/tiny_llama");

// Writes a PEFT adapter for tiny_llama (hidden 32) with q_proj pairs: layer -> (A [r, 32], B [32, r]).
void write_adapter(const std::string& dir, int r, double alpha, const std::map<int, std::pair<Matrix, Matrix>>& pairs) {
  nlohmann::json config{{"peft_type", "LORA"}, {"base_model_name_or_path", "alignwatch-tests/tiny_llama"},
                        {"r", r}, {"lora_alpha", alpha}, {"target_modules", {"q_proj"}},
                        {"use_rslora", false}, {"fan_in_fan_out", false}, {"bias", "none"}};
  runtime::testing::write_file(dir + "/adapter_config.json", config.dump());
  nlohmann::json header = nlohmann::json::object();
  std::string data;
  auto add = [&](const std::string& name, const Matrix& m) {
    std::vector<float> flat;
    for (const auto& row : m) flat.insert(flat.end(), row.begin(), row.end());
    const size_t begin = data.size();
    data += runtime::testing::f32_bytes(flat);
    header[name] = {{"dtype", "F32"}, {"shape", {m.size(), m.front().size()}}, {"data_offsets", {begin, data.size()}}};
  };
  for (const auto& [layer, ab] : pairs) {
    const std::string prefix = "base_model.model.model.layers." + std::to_string(layer) + ".self_attn.q_proj.";
    add(prefix + "lora_A.weight", ab.first);
    add(prefix + "lora_B.weight", ab.second);
  }
  runtime::testing::write_file(dir + "/adapter_model.safetensors", runtime::testing::safetensors_bytes(header.dump(), data));
}

Matrix zeros(size_t rows, size_t cols) { return Matrix(rows, std::vector<float>(cols, 0.0f)); }

Matrix random_matrix(size_t rows, size_t cols, std::mt19937& rng, double scale = 1.0) {
  std::normal_distribution<float> normal(0.0f, static_cast<float>(scale));
  Matrix m = zeros(rows, cols);
  for (auto& row : m) for (auto& v : row) v = normal(rng);
  return m;
}

std::unique_ptr<runtime::LoraAdapter> load(const std::string& dir) {
  auto base = runtime::load_model_config(kBaseDir);
  EXPECT_TRUE(base.has_value());
  auto adapter = runtime::LoraAdapter::load(dir, *base, "alignwatch-tests/tiny_llama");
  EXPECT_TRUE(adapter.has_value()) << (adapter ? "" : adapter.error().to_string());
  return adapter ? std::move(*adapter) : nullptr;
}

TEST(WeightScreen, SpectrumOfAKnownUpdate) {
  // B = [c_i e_i], A = [e_{2i+1}ᵀ]: ΔW = scaling Σ c_i e_i e_{2i+1}ᵀ has singular values scaling |c_i|.
  TempDir dir;
  const std::vector<float> c = {3.0f, -2.0f, 0.5f, 0.0f};
  Matrix a = zeros(4, 32), b = zeros(32, 4);
  for (int i = 0; i < 4; ++i) {
    b[i][i] = c[i];
    a[i][2 * i + 1] = 1.0f;
  }
  write_adapter(dir.path(), 4, 8.0, {{0, {a, b}}});
  auto adapter = load(dir.path());
  ASSERT_TRUE(adapter);
  auto report = screen_adapter(*adapter, {});
  ASSERT_TRUE(report.has_value()) << report.error().to_string();
  ASSERT_EQ(report->modules.size(), 1u);
  const ModuleSpectrum& s = report->modules[0];
  EXPECT_EQ(s.module, "model.layers.0.self_attn.q_proj");
  EXPECT_EQ(s.layer, 0);
  EXPECT_EQ(s.kind, "q_proj");
  ASSERT_EQ(s.singular_values.size(), 4u);
  const double scaling = 8.0 / 4;
  EXPECT_NEAR(s.singular_values[0], 3.0 * scaling, 1e-9);
  EXPECT_NEAR(s.singular_values[1], 2.0 * scaling, 1e-9);
  EXPECT_NEAR(s.singular_values[2], 0.5 * scaling, 1e-9);
  EXPECT_NEAR(s.singular_values[3], 0.0, 1e-9);
  EXPECT_NEAR(s.frobenius_norm, scaling * std::sqrt(9 + 4 + 0.25), 1e-9);
  EXPECT_NEAR(s.top_energy, 9 / 13.25, 1e-9);
  const double p[] = {9 / 13.25, 4 / 13.25, 0.25 / 13.25};
  EXPECT_NEAR(s.effective_rank, std::exp(-(p[0] * std::log(p[0]) + p[1] * std::log(p[1]) + p[2] * std::log(p[2]))), 1e-9);
}

TEST(WeightScreen, MatchesTheFullProductsSvdOnRandomFactors) {
  TempDir dir;
  std::mt19937 rng(11);
  write_adapter(dir.path(), 4, 16.0, {{0, {random_matrix(4, 32, rng), random_matrix(32, 4, rng)}},
                                      {1, {random_matrix(4, 32, rng), random_matrix(32, 4, rng)}}});
  auto adapter = load(dir.path());
  ASSERT_TRUE(adapter);
  auto report = screen_adapter(*adapter, {});
  ASSERT_TRUE(report.has_value());
  for (const ModuleSpectrum& s : report->modules) {
    const auto* pair = adapter->pair(s.module);
    ASSERT_NE(pair, nullptr);
    // The out×in product, decomposed whole: another computation of the same numbers.
    at::Tensor full = at::linalg_svdvals(at::matmul(pair->b.to(at::kDouble), pair->a.to(at::kDouble)) * adapter->scaling());
    for (int i = 0; i < 4; ++i) EXPECT_NEAR(s.singular_values[i], full[i].item<double>(), 1e-9 * full[0].item<double>());
    EXPECT_GT(s.effective_rank, 1.0);
    EXPECT_LE(s.effective_rank, 4.0 + 1e-12);
  }
}

TEST(WeightScreen, AModuleOutOfLineWithTheReferencesIsAnOutlierAndItsLayerRanksFirst) {
  std::mt19937 rng(5);
  std::vector<std::unique_ptr<TempDir>> dirs;
  std::vector<std::unique_ptr<runtime::LoraAdapter>> references;
  for (int i = 0; i < 5; ++i) {
    dirs.push_back(std::make_unique<TempDir>());
    write_adapter(dirs.back()->path(), 4, 8.0, {{0, {random_matrix(4, 32, rng, 0.1), random_matrix(32, 4, rng, 0.1)}},
                                                {1, {random_matrix(4, 32, rng, 0.1), random_matrix(32, 4, rng, 0.1)}}});
    references.push_back(load(dirs.back()->path()));
    ASSERT_TRUE(references.back());
  }
  // Layer 1 carries a concentrated update 30 times the references' size: a single direction.
  TempDir suspect;
  Matrix a1 = zeros(4, 32), b1 = zeros(32, 4);
  for (int j = 0; j < 32; ++j) {
    a1[0][j] = 1.0f;
    b1[j][0] = 1.0f;
  }
  write_adapter(suspect.path(), 4, 8.0, {{0, {random_matrix(4, 32, rng, 0.1), random_matrix(32, 4, rng, 0.1)}}, {1, {a1, b1}}});
  auto adapter = load(suspect.path());
  ASSERT_TRUE(adapter);
  std::vector<const runtime::LoraAdapter*> refs;
  for (const auto& r : references) refs.push_back(r.get());
  auto report = screen_adapter(*adapter, refs);
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(report->references, 5u);
  ASSERT_EQ(report->outliers.size(), 1u);
  EXPECT_EQ(report->outliers[0], "model.layers.1.self_attn.q_proj");
  ASSERT_EQ(report->layers.size(), 2u);
  EXPECT_EQ(report->layers[0].layer, 1);
  const ModuleSpectrum& odd = report->modules[1];
  EXPECT_GT(odd.reference_z, 3.5);
  EXPECT_NEAR(odd.top_energy, 1.0, 1e-9);
  EXPECT_NEAR(odd.effective_rank, 1.0, 1e-9);
  EXPECT_LT(std::abs(report->modules[0].reference_z), 3.5);
  // The same screen against one of the references finds nothing.
  std::vector<const runtime::LoraAdapter*> others(refs.begin() + 1, refs.end());
  auto clean = screen_adapter(*references[0], others);
  ASSERT_TRUE(clean.has_value());
  EXPECT_TRUE(clean->outliers.empty());
  auto json = nlohmann::json::parse(weight_screen_json(*report));
  EXPECT_EQ(json["outliers"][0], "model.layers.1.self_attn.q_proj");
  EXPECT_EQ(json["modules"].size(), 2u);
}

TEST(WeightScreen, ScreensTheRuntimesPeftFixture) {
  auto adapter = load(runtime::testing::source_path("tests/data/runtime/tiny_llama_lora"));
  ASSERT_TRUE(adapter);
  auto report = screen_adapter(*adapter, {});
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(report->modules.size(), 14u);  // 2 layers x 7 projections
  for (const ModuleSpectrum& s : report->modules) {
    EXPECT_TRUE(std::isfinite(s.frobenius_norm)) << s.module;
    EXPECT_GE(s.layer, 0);
    EXPECT_TRUE(std::is_sorted(s.singular_values.rbegin(), s.singular_values.rend()));
  }
}

TEST(RobustZ, MedianAndMad) {
  EXPECT_EQ(robust_z(5, {1, 2}), 0);  // too few to say
  EXPECT_NEAR(robust_z(4, {1, 2, 3}), (4 - 2) / (1.4826 * 1), 1e-12);
  EXPECT_NEAR(robust_z(2, {1, 2, 3, 4}), (2 - 2.5) / (1.4826 * 1), 1e-12);
  EXPECT_GT(robust_z(9, {1, 1, 1, 1}), 1e5);  // identical references, a different value
  EXPECT_NEAR(robust_z(1, {1, 1, 1, 5}), 0, 1e-12);
}

}  // namespace
}  // namespace alignwatch::scan::adapter
