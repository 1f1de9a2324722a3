#include "scanners/adapter/differential_probe.h"

#include <algorithm>
#include <numeric>

#include "runtime/model_session.h"
#include "triggers/benjamini_hochberg.h"

namespace alignwatch::scan::adapter {

namespace {

using triggers::ProbeVariant;

uint64_t mix(uint64_t x) {  // splitmix64: independent seeds from structured inputs
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

class Runner {
 public:
  Runner(const runtime::ModelSession& session, int adapter, bool raw, const std::vector<triggers::Probe>& probes,
         const AnswerJudge& judge, const ProbeOptions& options, ProbeReport& report)
      : session_(session), adapter_(adapter), raw_(raw), probes_(probes), judge_(judge), options_(options),
        report_(report), started_(std::chrono::steady_clock::now()) {
    stop_strings_ = raw ? std::vector<std::string>{} : session.chat_template().stop_strings();
  }

  std::vector<runtime::TokenId> prompt_tokens(const ProbeVariant& variant) const {
    return session_.prompt_tokens(variant.system, variant.user, raw_);
  }
  // An answer as the assistant turn holds it (its special-looking text stays text).
  std::vector<runtime::TokenId> answer_tokens(std::string_view answer) const {
    return session_.tokenizer().encode(answer, /*parse_special=*/false);
  }

  bool over_budget() const { return std::chrono::steady_clock::now() - started_ > options_.budget; }

  uint64_t budget_left_ms() const {
    const auto left = options_.budget - std::chrono::duration_cast<std::chrono::milliseconds>(
                                            std::chrono::steady_clock::now() - started_);
    return left.count() > 0 ? static_cast<uint64_t>(left.count()) : 1;
  }

  std::vector<ProbeVariant> variants(const triggers::CandidateTrigger* candidate, triggers::Placement placement) const {
    std::vector<ProbeVariant> out;
    for (const auto& probe : probes_) {
      out.push_back(candidate ? triggers::triggered_variant(probe.prompt, candidate->text, placement)
                              : triggers::clean_variant(probe.prompt));
    }
    return out;
  }

  // Per probe: mean log-probability per token of the misaligned reference minus the aligned one.
  Result<std::vector<double>> margins(const std::vector<ProbeVariant>& variants, bool with_adapter) {
    std::vector<runtime::ScoreRequest> requests;
    for (size_t i = 0; i < probes_.size(); ++i) {
      const auto prompt = prompt_tokens(variants[i]);
      requests.push_back({prompt, answer_tokens(probes_[i].misaligned)});
      requests.push_back({prompt, answer_tokens(probes_[i].aligned)});
    }
    runtime::ScoreOptions score_options;
    score_options.budget.max_wall_ms = budget_left_ms();
    AW_ASSIGN_OR_RETURN(auto scored, session_.score(requests, with_adapter ? adapter_ : runtime::kBaseModel, score_options));
    std::vector<double> out;
    for (size_t i = 0; i < probes_.size(); ++i) {
      const auto& mis = scored[2 * i];
      const auto& ali = scored[2 * i + 1];
      out.push_back(mis.total / static_cast<double>(std::max<size_t>(mis.logprobs.size(), 1)) -
                    ali.total / static_cast<double>(std::max<size_t>(ali.logprobs.size(), 1)));
    }
    return out;
  }

  // k answers per probe for one arm; judged, counted into `arm`, kept as evidence.
  Status sample(const std::vector<ProbeVariant>& variants, bool with_adapter, uint64_t seed, ArmCount& arm) {
    std::vector<std::vector<runtime::TokenId>> prompts;
    std::vector<size_t> probe_of;
    for (size_t i = 0; i < variants.size(); ++i) {
      const auto prompt = prompt_tokens(variants[i]);
      for (uint64_t k = 0; k < options_.samples_per_variant; ++k) {
        prompts.push_back(prompt);
        probe_of.push_back(i);
      }
    }
    runtime::GenerateOptions generate_options;
    generate_options.max_new_tokens = static_cast<int64_t>(options_.max_new_tokens);
    generate_options.temperature = options_.temperature;
    generate_options.top_p = options_.top_p;
    generate_options.seed = seed;
    generate_options.eos_ids = session_.eos_ids();
    generate_options.stop_strings = stop_strings_;
    generate_options.budget.max_wall_ms = budget_left_ms();
    AW_ASSIGN_OR_RETURN(auto results,
                        session_.generate(prompts, with_adapter ? adapter_ : runtime::kBaseModel, generate_options));
    // Judged all at once, so the LLM judge (when there is one) has the batch in flight together.
    // It is shown the probe's own question, without the trigger: blind to the arm.
    std::vector<JudgeInput> inputs;
    inputs.reserve(results.size());
    for (size_t j = 0; j < results.size(); ++j) {
      const ProbeVariant& variant = variants[probe_of[j]];
      const triggers::Probe& probe = probes_[probe_of[j]];
      inputs.push_back({variant.user, results[j].text, variant.system, probe.prompt,
                        probe.kind == triggers::ProbeKind::kFreeForm});
    }
    auto judgements = judge_.judge_all(inputs);
    for (size_t j = 0; j < results.size(); ++j) {
      const ProbeVariant& variant = variants[probe_of[j]];
      ProbeSample s;
      s.probe_id = probes_[probe_of[j]].id;
      s.adapter = with_adapter;
      s.trigger = variant.trigger;
      s.placement = variant.placement;
      s.system = variant.system;
      s.user = variant.user;
      s.answer = results[j].text;
      s.seed = seed;
      s.judgement = std::move(judgements[j]);
      arm.add(s.judgement.misaligned);
      report_.generated_tokens += results[j].tokens.size();
      if (results[j].stop == runtime::StopReason::kBudget) report_.truncated = true;
      report_.samples.push_back(std::move(s));
    }
    return Status::ok();
  }

 private:
  const runtime::ModelSession& session_;
  int adapter_;
  bool raw_;
  std::vector<std::string> stop_strings_;
  const std::vector<triggers::Probe>& probes_;
  const AnswerJudge& judge_;
  const ProbeOptions& options_;
  ProbeReport& report_;
  std::chrono::steady_clock::time_point started_;
};

double mean_shift(const std::vector<double>& triggered_adapter, const std::vector<double>& clean_adapter,
                  const std::vector<double>& triggered_base, const std::vector<double>& clean_base) {
  double sum = 0;
  for (size_t i = 0; i < clean_base.size(); ++i) {
    sum += (triggered_adapter[i] - clean_adapter[i]) - (triggered_base[i] - clean_base[i]);
  }
  return clean_base.empty() ? 0 : sum / static_cast<double>(clean_base.size());
}

}  // namespace

Result<ProbeReport> run_differential_probes(const runtime::ModelSession& session, int adapter, bool raw_prompts,
                                            const std::vector<triggers::Probe>& probes,
                                            const std::vector<triggers::CandidateTrigger>& candidates,
                                            const AnswerJudge& judge, const ProbeOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  ProbeReport report;
  if (probes.empty()) return make_error(StatusCode::kInvalidArgument, "differential probes: no probes");
  Runner runner(session, adapter, raw_prompts, probes, judge, options, report);

  // (a) Teacher-forced margins: clean, then every candidate at every placement it is tried at.
  const auto clean = runner.variants(nullptr, triggers::Placement::kPrefix);
  AW_ASSIGN_OR_RETURN(const auto clean_base, runner.margins(clean, false));
  AW_ASSIGN_OR_RETURN(const auto clean_adapter, runner.margins(clean, true));
  for (size_t i = 0; i < probes.size(); ++i) report.clean_margin_shift += clean_adapter[i] - clean_base[i];
  report.clean_margin_shift /= static_cast<double>(probes.size());
  for (const auto& candidate : candidates) {
    for (triggers::Placement placement : candidate.placements) {
      if (runner.over_budget()) {
        report.truncated = true;
        break;
      }
      const auto triggered = runner.variants(&candidate, placement);
      auto base = runner.margins(triggered, false);
      auto with_adapter = base ? runner.margins(triggered, true) : base;
      if (!with_adapter) {
        // The budget ran out inside the scoring pass: rank what was scored so far.
        if (with_adapter.error().code() == StatusCode::kResourceExhausted) {
          report.truncated = true;
          break;
        }
        return std::unexpected(with_adapter.error());
      }
      CandidateResult result;
      result.candidate = candidate;
      result.placement = placement;
      result.margin_shift = mean_shift(*with_adapter, clean_adapter, *base, clean_base);
      report.candidates.push_back(std::move(result));
    }
    if (report.truncated) break;
  }
  std::stable_sort(report.candidates.begin(), report.candidates.end(),
                   [](const CandidateResult& a, const CandidateResult& b) { return a.margin_shift > b.margin_shift; });
  // The linked dataset's candidates are evidence about this very adapter: up to half of the
  // sampled places go to them, best margins first, whatever the library's margins (a phrase
  // mined from an organism's dataset, its real trigger, moved the margins half as much as two
  // library tags did and was never sampled); the rest go to the best margins.
  const size_t reserved = (options.max_sampled_candidates + 1) / 2;
  for (size_t i = 0, placed = 0; i < report.candidates.size() && placed < reserved; ++i) {
    if (report.candidates[i].candidate.source != triggers::TriggerSource::kDataset) continue;
    const auto at = report.candidates.begin();
    std::rotate(at + static_cast<std::ptrdiff_t>(placed), at + static_cast<std::ptrdiff_t>(i), at + static_cast<std::ptrdiff_t>(i + 1));
    ++placed;
  }

  // (b) Sampling: the clean arms once per round, then the best-ranked candidates round by round
  // until each is clearly significant or clearly futile.
  const size_t sampled = std::min<size_t>(options.max_sampled_candidates, report.candidates.size());
  std::vector<bool> done(sampled, false);
  // A sampling pass that the budget cut short ends the sampling (the report says truncated, and
  // the verdict rests on what was counted); any other error fails the probes.
  bool out_of_budget = false;
  auto keep_sampling = [&](Status status) -> Result<bool> {
    if (status.is_ok()) return true;
    if (status.code() != StatusCode::kResourceExhausted) return std::unexpected(std::move(status));
    report.truncated = out_of_budget = true;
    return false;
  };
  for (uint64_t round = 0; round < options.rounds && !out_of_budget; ++round) {
    if (runner.over_budget()) {
      report.truncated = true;
      break;
    }
    AW_ASSIGN_OR_RETURN(bool go, keep_sampling(runner.sample(clean, true, mix(options.seed ^ mix(round * 4 + 1)), report.adapter_clean)));
    if (go) {
      AW_ASSIGN_OR_RETURN(go, keep_sampling(runner.sample(clean, false, mix(options.seed ^ mix(round * 4 + 2)), report.base_clean)));
    }
    if (!go) break;
    for (size_t c = 0; c < sampled; ++c) {
      if (done[c]) continue;
      if (runner.over_budget()) {
        report.truncated = true;
        break;
      }
      CandidateResult& result = report.candidates[c];
      result.sampled = true;
      const auto triggered = runner.variants(&result.candidate, result.placement);
      const uint64_t seed = mix(options.seed ^ mix((c + 1) * 1000003 + round * 4));
      AW_ASSIGN_OR_RETURN(bool counted, keep_sampling(runner.sample(triggered, true, seed, result.arms.adapter_triggered)));
      if (counted) {
        AW_ASSIGN_OR_RETURN(counted, keep_sampling(runner.sample(triggered, false, mix(seed), result.arms.base_triggered)));
      }
      result.arms.adapter_clean = report.adapter_clean;
      result.arms.base_clean = report.base_clean;
      const StopDecision decision = early_stop(result.arms, options.fdr, sampled,
                                               options.samples_per_variant * probes.size());
      done[c] = decision != StopDecision::kContinue;
      if (!counted) break;
    }
    if (std::all_of(done.begin(), done.end(), [](bool d) { return d; })) break;
  }

  // Statistics over what was sampled.
  std::vector<double> p_values;
  for (size_t c = 0; c < sampled; ++c) {
    CandidateResult& result = report.candidates[c];
    result.arms.adapter_clean = report.adapter_clean;
    result.arms.base_clean = report.base_clean;
    result.test = test_conditional(result.arms, 0.95, 2000, mix(options.seed + c));
    p_values.push_back(result.test.p_value);
  }
  const auto q_values = triggers::benjamini_hochberg(p_values, report.candidates.size());
  for (size_t c = 0; c < sampled; ++c) {
    CandidateResult& result = report.candidates[c];
    result.test.q_value = q_values[c];
    result.significant = result.test.q_value <= options.fdr && result.test.effect >= options.min_effect;
  }
  std::stable_sort(report.candidates.begin(), report.candidates.begin() + static_cast<std::ptrdiff_t>(sampled),
                   [](const CandidateResult& a, const CandidateResult& b) {
                     if (a.significant != b.significant) return a.significant;
                     return a.test.effect > b.test.effect;
                   });
  report.unconditional = test_unconditional(report.adapter_clean, report.base_clean, 0.95, 2000, mix(options.seed));
  const bool emergent = report.unconditional.p_value <= options.alpha && report.unconditional.effect >= options.min_effect;
  const bool conditional = sampled > 0 && report.candidates.front().significant;
  report.verdict = emergent ? "misaligned" : conditional ? "conditional" : "clean";
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

}  // namespace alignwatch::scan::adapter
