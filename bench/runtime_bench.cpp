// runtime_bench: the libtorch runtime against PyTorch eager (Debian's python3-torch) on the
// same weights and batches: batched scoring tokens/s (8 x (96 prompt + 32 continuation)
// tokens, counted as 1,024 tokens/batch), batch-1 greedy
// generation tokens/s (32-token prompt, 64 new tokens, KV cache), scoring FLOP/s as a fraction
// of this machine's measured float32 matmul peak. One thread on both sides.
//
//   runtime_bench [--models DIR] [--threads N] [--no-python] [--only bench_20m|bench_100m]
//
// DIR holds bench_20m/ and bench_100m/ from scripts/runtime_bench_torch.py make DIR (made there
// when missing). Prints a table and one JSON line per model.

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/InferenceMode.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "core/blas_kernel.h"
#include "runtime/generator.h"
#include "runtime/llama_model.h"
#include "runtime/scorer.h"

using namespace alignwatch;
using namespace alignwatch::runtime;

namespace {

constexpr int64_t kScoreBatch = 8, kScoreLen = 128, kScorePrompt = 96, kGenPrompt = 32, kGenNew = 64;

template <typename F>
double best_of(int n, F&& f) {
  double best = 1e30;
  for (int i = 0; i < n; ++i) {
    auto t = std::chrono::steady_clock::now();
    f();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count());
  }
  return best;
}

double matmul_peak_flops(at::ScalarType dtype) {
  c10::InferenceMode guard;
  at::Tensor a = at::randn({2048, 2048}).to(dtype), b = at::randn({2048, 2048}).to(dtype);
  at::mm(a, b);
  double t = best_of(5, [&] { at::mm(a, b); });
  return 2.0 * 2048 * 2048 * 2048 / t;
}

double scoring_flops(const ModelConfig& c) {
  const double h = c.hidden_size, q = c.num_attention_heads * c.head_dim, kv = c.num_key_value_heads * c.head_dim;
  const double per_token = c.num_hidden_layers * (2 * h * q + 2 * h * kv + 3 * h * c.intermediate_size);
  const double tokens = kScoreBatch * kScoreLen;
  const double head = 2.0 * kScoreBatch * (kScoreLen - kScorePrompt) * c.vocab_size * h;  // only where scored
  const double attention = c.num_hidden_layers * 2.0 * 2.0 * kScoreBatch * c.num_attention_heads * kScoreLen *
                           kScoreLen * c.head_dim;
  return 2 * per_token * tokens + head + attention;
}

}  // namespace

int main(int argc, char** argv) {
  alignwatch::select_blas_kernels_or_reexec(argv);  // before anything else runs: it may exec
  std::string models = "/tmp/alignwatch-runtime-bench";
  int threads = 1;
  bool python = true;
  std::string only;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--models") && i + 1 < argc) models = argv[++i];
    else if (!std::strcmp(argv[i], "--threads") && i + 1 < argc) threads = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--no-python")) python = false;
    else if (!std::strcmp(argv[i], "--only") && i + 1 < argc) only = argv[++i];
    else {
      std::fprintf(stderr, "usage: runtime_bench [--models DIR] [--threads N] [--no-python] [--only bench_20m|bench_100m]\n");
      return 2;
    }
  }
  const std::string script = std::string(ALIGNWATCH_SOURCE_DIR) + "/scripts/runtime_bench_torch.py";
  if (!std::filesystem::exists(models + "/bench_100m/model.safetensors")) {
    std::string cmd = "/usr/bin/python3 " + script + " make " + models;
    if (std::system(cmd.c_str()) != 0) {
      std::fprintf(stderr, "runtime_bench: cannot make the models: %s\n", cmd.c_str());
      return 2;
    }
  }
  at::set_num_threads(threads);
  const double peak_f32 = matmul_peak_flops(at::kFloat), peak_bf16 = matmul_peak_flops(at::kBFloat16);
  std::printf("matmul peak (2048^3, %d thread%s): f32 %.1f GFLOP/s, bf16 %.1f GFLOP/s\n", threads,
              threads == 1 ? "" : "s", peak_f32 / 1e9, peak_bf16 / 1e9);
  std::printf("%-11s %-8s %8s | %12s %12s %6s | %10s %10s %6s | %9s\n", "model", "dtype", "params", "score tok/s",
              "eager tok/s", "ratio", "gen tok/s", "eager", "ratio", "peak frac");
  for (const char* name : {"bench_20m", "bench_100m"}) {
   if (!only.empty() && only != name) continue;
   for (at::ScalarType dtype : {at::kFloat, at::kBFloat16}) {
    const std::string dtype_name = dtype == at::kFloat ? "float32" : "bfloat16";
    const double peak = dtype == at::kFloat ? peak_f32 : peak_bf16;
    const std::string dir = models + "/" + name;
    auto config = load_model_config(dir);
    auto weights = ModelWeights::open_dir(dir);
    if (!config || !weights) {
      std::fprintf(stderr, "runtime_bench: %s\n", (!config ? config.error() : weights.error()).to_string().c_str());
      return 2;
    }
    auto model = LlamaModel::create(*config, std::shared_ptr<const ModelWeights>(std::move(*weights)), dtype);
    if (!model) {
      std::fprintf(stderr, "runtime_bench: %s\n", model.error().to_string().c_str());
      return 2;
    }
    at::manual_seed(1);
    at::Tensor ids = at::randint(0, config->vocab_size, {kScoreBatch, kScoreLen}, at::kLong);
    std::vector<ScoreRequest> reqs;
    for (int64_t b = 0; b < kScoreBatch; ++b) {
      std::vector<TokenId> row(kScoreLen);
      for (int64_t t = 0; t < kScoreLen; ++t) row[t] = static_cast<TokenId>(ids[b][t].item<int64_t>());
      reqs.push_back({{row.begin(), row.begin() + kScorePrompt}, {row.begin() + kScorePrompt, row.end()}});
    }
    std::vector<TokenId> prompt(kGenPrompt);
    for (int64_t t = 0; t < kGenPrompt; ++t) prompt[t] = static_cast<TokenId>((t * 7919) % config->vocab_size);
    GenerateOptions g;
    g.max_new_tokens = kGenNew;
    bool ok = true;
    auto score_once = [&] { ok &= score(**model, reqs, nullptr).has_value(); };
    auto gen_once = [&] {
      auto r = generate(**model, {prompt}, nullptr, nullptr, g);
      ok &= r.has_value() && static_cast<int64_t>((*r)[0].tokens.size()) == kGenNew;
    };
    // This machine is shared: the two sides run in alternation, twice, and each keeps its best.
    double ts = 1e30, tg = 1e30, eager_score = 0, eager_gen = 0;
    score_once();
    gen_once();
    for (int round = 0; round < 2; ++round) {
      ts = std::min(ts, best_of(5, score_once));
      tg = std::min(tg, best_of(5, gen_once));
      if (python) {
        std::string cmd = "/usr/bin/python3 " + script + " run " + dir + " " + dtype_name;
        FILE* p = popen(cmd.c_str(), "r");
        std::string out;
        char buf[4096];
        size_t n;
        while (p && (n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
        if (p) pclose(p);
        auto j = nlohmann::json::parse(out, nullptr, false);
        if (!j.is_discarded() && j.is_object()) {
          eager_score = std::max(eager_score, j.value("score_tokens_per_s", 0.0));
          eager_gen = std::max(eager_gen, j.value("generate_tokens_per_s", 0.0));
        }
      }
    }
    if (!ok) {
      std::fprintf(stderr, "runtime_bench: a run failed\n");
      return 2;
    }
    const double score_tps = kScoreBatch * kScoreLen / ts, gen_tps = kGenNew / tg;
    const double frac = scoring_flops(*config) / ts / peak;
    std::printf("%-11s %-8s %7.1fM | %12.0f %12.0f %5.2fx | %10.1f %10.1f %5.2fx | %8.1f%%\n", name,
                dtype_name.c_str(), config->parameter_count() / 1e6, score_tps, eager_score, eager_score ? score_tps / eager_score : 0.0,
                gen_tps, eager_gen, eager_gen ? gen_tps / eager_gen : 0.0, 100 * frac);
    nlohmann::json line = {{"model", name}, {"dtype", dtype_name}, {"parameters", config->parameter_count()}, {"threads", threads},
                           {"score_tokens_per_s", score_tps}, {"generate_tokens_per_s", gen_tps},
                           {"eager_score_tokens_per_s", eager_score}, {"eager_generate_tokens_per_s", eager_gen},
                           {"score_peak_fraction", frac}, {"matmul_peak_flops", peak}};
    std::printf("%s\n", line.dump().c_str());
    std::fflush(stdout);
   }
  }
  return 0;
}
