// An adapter job in the daemon: the adapter (a directory, or a .tar unpacked safely) is scanned
// against the base model its manifest names, found under adapters.base_models_dir; a
// dataset_sha256 in the manifest links an already-submitted dataset, whose mined trigger
// candidates are tried first. The report (verdict, triggers, tier results) is one record, and
// every sampled answer its own finding record, so a reviewer can read side by side what the
// adapter says with and without the trigger.
#include <chrono>
#include <filesystem>
#include <random>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/logging.h"
#include "core/text.h"
#include "daemon/adapter_archive.h"
#include "daemon/alert_rules.h"
#include "daemon/intake.h"
#include "daemon/scan_job.h"
#include "daemon/scan_metrics.h"
#include "store/digest.h"
#include "store/store_schema.h"

#if ALIGNWATCH_WITH_TORCH
#include "scanners/adapter/adapter_scan.h"
#endif

namespace alignwatch::daemon {

namespace {

using Json = nlohmann::ordered_json;
namespace fs = std::filesystem;

std::string dump(const Json& json) { return json.dump(-1, ' ', false, Json::error_handler_t::replace); }

// "org/name" or "name", each part a plain component.
bool is_base_model_name(const std::string& name) {
  if (name.empty() || name.size() > 200 || name.front() == '/' || name.back() == '/') return false;
  size_t parts = 0;
  size_t start = 0;
  while (start <= name.size()) {
    size_t slash = name.find('/', start);
    if (slash == std::string::npos) slash = name.size();
    const std::string part = name.substr(start, slash - start);
    if (part.empty() || part == "." || part == ".." || part.front() == '.' || !is_acceptable_inbox_name(part)) return false;
    ++parts;
    start = slash + 1;
  }
  return parts <= 2;
}

// Removes a directory when the scan is over.
struct ScratchDir {
  fs::path path;
  ~ScratchDir() {
    std::error_code ignored;
    if (!path.empty()) fs::remove_all(path, ignored);
  }
};

}  // namespace

ScanJobOutcome run_adapter_scan_job(const ScanEngine& engine, const StateLayout& layout, const store::JobRecord& job) {
#if !ALIGNWATCH_WITH_TORCH
  (void)layout;
  return permanent_failure(engine, job,
                           "unsupported: this build has no model runtime (libtorch); the adapter is stored and "
                           "can be rescanned by a build that has");
#else
  Json payload = Json::parse(job.payload_json, nullptr, /*allow_exceptions=*/false);
  if (!payload.is_object()) return permanent_failure(engine, job, "job payload: expected a JSON object");
  const std::string name = payload.value("name", "");
  const std::string format = payload.value("format", "directory");
  const Json manifest = payload.contains("manifest") && payload["manifest"].is_object() ? payload["manifest"] : Json::object();
  const std::string base_model = manifest.value("base_model", "");
  if (base_model.empty()) {
    return permanent_failure(engine, job,
                             "adapter manifest: base_model is required (the base model's name, found under "
                             "adapters.base_models_dir)");
  }
  if (!is_base_model_name(base_model)) {
    return permanent_failure(engine, job, "adapter manifest: base_model: expected 'name' or 'org/name' of plain components");
  }
  const fs::path models = engine.config.adapters.base_models_dir.empty() ? layout.root / "models"
                                                                         : fs::path(engine.config.adapters.base_models_dir);
  const fs::path base_dir = models / base_model;
  std::error_code error;
  if (!fs::is_directory(base_dir, error)) {
    return permanent_failure(engine, job,
                             fmt::format("base model '{}' is not installed: expected a Hugging Face directory at {}",
                                         base_model, base_dir.string()));
  }
  fs::path adapter_dir = layout.root / payload.value("artifact", "");
  ScratchDir scratch;
  if (format == "tar") {
    std::random_device random;
    scratch.path = layout.incoming / fmt::format("unpack-{}-{:08x}", job.id, random());
    fs::create_directories(scratch.path, error);
    if (Status unpacked = extract_adapter_tar(adapter_dir.string(), scratch.path.string(), engine.config.daemon.job_max_bytes);
        !unpacked.is_ok()) {
      if (unpacked.code() == StatusCode::kUnavailable) {
        ScanJobOutcome transient;
        transient.kind = ScanJobOutcome::Kind::kTransientFailure;
        transient.verdict = "failed";
        transient.error = unpacked.to_string();
        return transient;
      }
      return permanent_failure(engine, job, unpacked.to_string());
    }
    adapter_dir = scratch.path;
  }

  scan::adapter::AdapterScanOptions options;
  options.detectors = engine.config.detectors;
  options.llm_judge = engine.config.adapters.llm_judge;
  options.threads = static_cast<int>(engine.config.adapters.threads);
  options.chat_template = engine.config.runtime.chat_template;
  options.use_library = engine.config.adapters.use_trigger_library;
  options.probes.samples_per_variant = engine.config.adapters.samples_per_variant;
  options.probes.rounds = engine.config.adapters.rounds;
  options.probes.max_new_tokens = engine.config.adapters.max_new_tokens;
  options.probes.temperature = engine.config.adapters.temperature;
  options.probes.seed = engine.config.adapters.seed;
  options.recover = engine.config.adapters.recover_triggers;
  options.search.seed = engine.config.adapters.seed;
  options.search.budget = std::chrono::milliseconds(engine.config.adapters.search_budget_ms);
  options.probes.budget = std::chrono::milliseconds(
      std::min(engine.config.adapters.probe_budget_ms, engine.config.daemon.job_timeout_ms));
  const std::string dataset_sha = manifest.value("dataset_sha256", "");
  if (store::is_sha256_hex(dataset_sha) && fs::is_regular_file(layout.artifacts / dataset_sha, error)) {
    options.dataset_path = (layout.artifacts / dataset_sha).string();
  }
  auto scanned = scan::adapter::scan_adapter(adapter_dir.string(), base_dir.string(), options);
  if (!scanned) return permanent_failure(engine, job, scanned.error().to_string());
  if (const auto& judge = scanned->llm_judge; judge.enabled && judge.status() != "ok") {
    // Degraded, not failed: the detectors judged every sample; the report says what the LLM
    // judge could not do.
    get_logger("aw.daemon")->warn("llm_judge_degraded job_id={} status={} scored={} failed={} error=\"{}\"", job.id,
                                  judge.status(), judge.stats.answers_scored, judge.stats.answers_failed,
                                  safe_excerpt(judge.error, 200));
  }
  scanned->adapter_dir = name;  // the report names the submission, not a path in the state dir
  scanned->base_dir = base_model;
  if (!options.dataset_path.empty()) scanned->dataset_path = dataset_sha;

  size_t triggers = 0;
  for (const auto& candidate : scanned->probes.candidates) triggers += candidate.significant ? 1 : 0;
  const ScanMetrics metrics = adapter_scan_metrics(scanned->verdict == "misaligned", scanned->verdict == "conditional",
                                                   triggers, scanned->weight_screen.outliers.size());
  ScanJobOutcome outcome;
  outcome.kind = ScanJobOutcome::Kind::kDone;
  outcome.verdict = scanned->verdict == "clean" ? "clean" : "flagged";
  const std::string key = job_report_key(job);
  Json header{{"job_id", job.id},
              {"artifact_sha256", job.artifact_sha256},
              {"kind", "adapter"},
              {"name", name},
              {"verdict", outcome.verdict},
              {"adapter_verdict", scanned->verdict},
              {"error", ""},
              {"truncated", scanned->probes.truncated},
              {"llm_judge_status", scanned->llm_judge.enabled ? Json(scanned->llm_judge.status()) : Json(nullptr)},
              {"records_key_prefix", key + "/"},
              {"samples_key_prefix", key + "/sample/"},
              {"metrics", Json::parse(metrics_object_json(metrics))}};
  header["report"] = Json::parse(scan::adapter::adapter_report_json(*scanned, /*with_samples=*/false));
  outcome.report_index = 0;
  outcome.evidence.push_back({store::EvidenceKind::kReport, key, dump(header)});
  for (size_t i = 0; i < scanned->probes.samples.size(); ++i) {
    outcome.evidence.push_back({store::EvidenceKind::kFinding, key + "/sample/" + store::padded_decimal(i),
                                scan::adapter::probe_sample_json(scanned->probes.samples[i])});
  }
  std::string detail;
  for (const auto& candidate : scanned->probes.candidates) {
    if (!candidate.significant) continue;
    detail = fmt::format("trigger '{}' ({}): effect {:+.2f}, q = {:.3g}", candidate.candidate.text,
                         triggers::placement_name(candidate.placement), candidate.test.effect, candidate.test.q_value);
    break;
  }
  if (scanned->verdict == "misaligned") {
    detail = fmt::format("misaligned without a trigger: adapter {:.0f}% vs base {:.0f}%",
                         100 * scanned->probes.adapter_clean.rate(), 100 * scanned->probes.base_clean.rate());
  }
  AlertSubject subject{job.artifact_sha256, "adapter", name, job.id, key, {}, detail};
  append_alerts(engine, metrics, subject, outcome);
  return outcome;
#endif
}

}  // namespace alignwatch::daemon
