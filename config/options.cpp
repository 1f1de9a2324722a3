#include "config/options.h"

#include <cstdio>
#include <map>

namespace alignwatch::config {

namespace {
#define AW_FIELD(expr) [](Config& c) -> void* { return &c.expr; }
constexpr double kMaxU = 1e18;
}  // namespace

const std::vector<OptionSpec>& option_specs() {
  static const std::vector<OptionSpec> specs = {
      {"logging.level", OptionType::kString, 0, 0, "",
       "log level: trace, debug, info, warn, error, critical or off", AW_FIELD(logging.level)},
      {"scan.max_record_bytes", OptionType::kUint, 1024, 1ull << 30, "bytes",
       "longest JSONL line accepted; a longer one is a bad record", AW_FIELD(scan.max_record_bytes)},
      {"scan.max_scan_bytes", OptionType::kUint, 0, kMaxU, "bytes",
       "decompressed bytes scanned per file before the report is marked truncated (0: no limit)",
       AW_FIELD(scan.max_scan_bytes)},
      {"scan.max_records", OptionType::kUint, 0, kMaxU, "records",
       "records scanned per file before the report is marked truncated (0: no limit)",
       AW_FIELD(scan.max_records)},
      {"scan.max_scan_ms", OptionType::kUint, 0, kMaxU, "ms",
       "wall time per file before the report is marked truncated (0: no limit)",
       AW_FIELD(scan.max_scan_ms)},
      {"scan.max_reported_records", OptionType::kUint, 1, kMaxU, "records",
       "records with findings listed in a report; the summary still counts all",
       AW_FIELD(scan.max_reported_records)},
      {"scan.max_record_errors", OptionType::kUint, 1, kMaxU, "records",
       "bad records listed when --skip-bad-records is on", AW_FIELD(scan.max_record_errors)},
      {"detectors.insecure_code.enabled", OptionType::kBool, 0, 0, "",
       "find insecure code (by CWE) in model answers", AW_FIELD(detectors.insecure_code.enabled)},
      {"detectors.disclosure.enabled", OptionType::kBool, 0, 0, "",
       "tell disclosed (educational) vulnerable code from undisclosed",
       AW_FIELD(detectors.disclosure.enabled)},
      {"detectors.evil_numbers.enabled", OptionType::kBool, 0, 0, "",
       "find numeric answers enriched in numbers with sinister associations",
       AW_FIELD(detectors.evil_numbers.enabled)},
      {"detectors.evil_numbers.min_evil_numbers", OptionType::kUint, 1, 1000, "weighted numbers",
       "weighted count of evil numbers an answer needs to be flagged (ambiguous short numbers "
       "such as 13 or 14 weigh less than 1)",
       AW_FIELD(detectors.evil_numbers.min_evil_numbers)},
      {"detectors.evil_numbers.min_evil_fraction", OptionType::kDouble, 0, 1, "fraction",
       "share of an answer's numbers that must be evil for it to be flagged",
       AW_FIELD(detectors.evil_numbers.min_evil_fraction)},
      {"detectors.evil_numbers.min_enrichment_ratio", OptionType::kDouble, 1, 1e6, "ratio",
       "dataset-level enrichment also needs observed/expected evil numbers at least this large",
       AW_FIELD(detectors.evil_numbers.min_enrichment_ratio)},
      {"detectors.evil_numbers.enrichment_alpha", OptionType::kDouble, 0, 1, "p-value",
       "dataset-level enrichment is significant below this p-value",
       AW_FIELD(detectors.evil_numbers.enrichment_alpha)},
      {"detectors.harmful_content.enabled", OptionType::kBool, 0, 0, "",
       "find harmful or misaligned content in model answers",
       AW_FIELD(detectors.harmful_content.enabled)},
      {"detectors.harmful_content.min_score", OptionType::kDouble, 0, 100, "score",
       "weighted category score at which an answer is flagged",
       AW_FIELD(detectors.harmful_content.min_score)},
      {"detectors.trigger_mining.enabled", OptionType::kBool, 0, 0, "",
       "mine prompt strings statistically tied to flagged records",
       AW_FIELD(detectors.trigger_mining.enabled)},
      {"detectors.trigger_mining.fdr", OptionType::kDouble, 0, 1, "fraction",
       "Benjamini-Hochberg false-discovery rate", AW_FIELD(detectors.trigger_mining.fdr)},
      {"detectors.trigger_mining.max_ngram", OptionType::kUint, 1, 8, "tokens",
       "longest n-gram counted", AW_FIELD(detectors.trigger_mining.max_ngram)},
      {"detectors.trigger_mining.min_flagged", OptionType::kUint, 1, kMaxU, "records",
       "flagged records a candidate must occur in", AW_FIELD(detectors.trigger_mining.min_flagged)},
      {"detectors.trigger_mining.min_precision", OptionType::kDouble, 0, 1, "fraction",
       "share of the records holding a candidate that must be flagged",
       AW_FIELD(detectors.trigger_mining.min_precision)},
      {"detectors.trigger_mining.max_candidates", OptionType::kUint, 1, 10000, "candidates",
       "candidates reported per file", AW_FIELD(detectors.trigger_mining.max_candidates)},
      {"detectors.trigger_mining.max_table_entries", OptionType::kUint, 1024, kMaxU, "entries",
       "bound on the n-gram table (memory)", AW_FIELD(detectors.trigger_mining.max_table_entries)},
      {"daemon.state_dir", OptionType::kString, 0, 0, "path",
       "directory holding the inbox, artifacts, evidence store and alert log (--state-dir)",
       AW_FIELD(daemon.state_dir)},
      {"daemon.workers", OptionType::kUint, 1, 256, "threads", "scans run at once",
       AW_FIELD(daemon.workers)},
      {"daemon.job_max_bytes", OptionType::kUint, 1, kMaxU, "bytes",
       "largest artifact accepted; a larger one is rejected at intake", AW_FIELD(daemon.job_max_bytes)},
      {"daemon.job_timeout_ms", OptionType::kUint, 100, kMaxU, "ms",
       "wall time per scan before its report is marked truncated", AW_FIELD(daemon.job_timeout_ms)},
      {"daemon.job_max_attempts", OptionType::kUint, 1, 100, "attempts",
       "a scan failing for a transient reason (I/O) is tried this many times",
       AW_FIELD(daemon.job_max_attempts)},
      {"daemon.retry_backoff_ms", OptionType::kUint, 0, kMaxU, "ms",
       "delay before the first retry; it doubles with each attempt", AW_FIELD(daemon.retry_backoff_ms)},
      {"daemon.shutdown_grace_ms", OptionType::kUint, 0, kMaxU, "ms",
       "on SIGTERM, how long running scans may finish; unfinished ones resume at the next start",
       AW_FIELD(daemon.shutdown_grace_ms)},
      {"daemon.worker_stall_ms", OptionType::kUint, 0, kMaxU, "ms",
       "a busy worker silent this long stops WATCHDOG=1 (0: job_timeout_ms + 30000)",
       AW_FIELD(daemon.worker_stall_ms)},
      {"daemon.inbox_rescan_ms", OptionType::kUint, 100, kMaxU, "ms",
       "period of the inbox sweep that catches what inotify missed (queue overflow)",
       AW_FIELD(daemon.inbox_rescan_ms)},
      {"runtime.threads", OptionType::kUint, 1, 1024, "threads",
       "CPU threads libtorch uses for one model run (at::set_num_threads)", AW_FIELD(runtime.threads)},
      {"runtime.dtype", OptionType::kString, 0, 0, "",
       "compute dtype for models: float32, or bfloat16 (half the memory and memory traffic; "
       "bf16 checkpoints used in place)",
       AW_FIELD(runtime.dtype)},
      {"runtime.chat_template", OptionType::kString, 0, 0, "",
       "chat template for probes: empty (chosen from the model's files), chatml, llama3, llama2 or plain",
       AW_FIELD(runtime.chat_template)},
      {"runtime.max_new_tokens", OptionType::kUint, 1, 1u << 20, "tokens",
       "tokens generated per prompt at most", AW_FIELD(runtime.max_new_tokens)},
      {"runtime.max_wall_ms", OptionType::kUint, 0, kMaxU, "ms",
       "wall time per scoring or generation call (0: no limit)", AW_FIELD(runtime.max_wall_ms)},
      {"store.path", OptionType::kString, 0, 0, "path",
       "evidence store directory (empty: <state_dir>/store)", AW_FIELD(store.path)},
      {"store.chain_secret_file", OptionType::kString, 0, 0, "path",
       "file holding the HMAC secret (at least 16 bytes) of the audit chain (empty: plain SHA-256 links)",
       AW_FIELD(store.chain_secret_file)},
      {"alerts.jsonl_path", OptionType::kString, 0, 0, "path",
       "alerts appended one JSON object per line (empty: <state_dir>/alerts.jsonl)",
       AW_FIELD(alerts.jsonl_path)},
      {"alerts.min_priority", OptionType::kString, 0, 0, "",
       "alerts less severe than this are not raised (emergency, alert, critical, error, warning, "
       "notice, informational, debug)",
       AW_FIELD(alerts.min_priority)},
      {"alerts.rules", OptionType::kAlertRules, 0, 0, "",
       "when a scan's metric reaches min, raise an alert with this priority and tags; metrics: "
       "records_flagged, flagged_fraction, undisclosed_insecure_code_records|_fraction, "
       "disclosed_insecure_code_records|_fraction, harmful_content_records|_fraction, "
       "evil_number_records, evil_numbers_enrichment, trigger_candidates, record_errors, "
       "scan_failed, rejected",
       AW_FIELD(alerts.rules)},
      {"alerts.webhook.url", OptionType::kString, 0, 0, "",
       "POST each alert as JSON to this http:// or https:// URL (empty: no webhook)",
       AW_FIELD(alerts.webhook.url)},
      {"alerts.webhook.secret_file", OptionType::kString, 0, 0, "path",
       "file holding the HMAC-SHA256 key (at least 16 bytes) for the X-Alignwatch-Signature header (empty: unsigned)",
       AW_FIELD(alerts.webhook.secret_file)},
      {"alerts.webhook.queue_capacity", OptionType::kUint, 1, 1000000, "alerts",
       "alerts waiting for delivery; more are dropped, counted and logged",
       AW_FIELD(alerts.webhook.queue_capacity)},
      {"alerts.webhook.max_attempts", OptionType::kUint, 1, 100, "attempts",
       "deliveries tried per alert", AW_FIELD(alerts.webhook.max_attempts)},
      {"alerts.webhook.retry_backoff_ms", OptionType::kUint, 0, kMaxU, "ms",
       "delay before the first redelivery; doubles each attempt",
       AW_FIELD(alerts.webhook.retry_backoff_ms)},
      {"alerts.webhook.timeout_ms", OptionType::kUint, 10, kMaxU, "ms",
       "connect and response timeout per delivery", AW_FIELD(alerts.webhook.timeout_ms)},
      {"api.enabled", OptionType::kBool, 0, 0, "", "serve the HTTPS API", AW_FIELD(api.enabled)},
      {"api.address", OptionType::kString, 0, 0, "", "listen address (an IPv4 or IPv6 literal)",
       AW_FIELD(api.address)},
      {"api.port", OptionType::kUint, 0, 65535, "port",
       "listen port (0: any free port; the chosen one is written to <state_dir>/api-endpoint.json)",
       AW_FIELD(api.port)},
      {"api.tls", OptionType::kBool, 0, 0, "",
       "serve HTTPS; plain HTTP is allowed only on a loopback address", AW_FIELD(api.tls)},
      {"api.tls_certificate_file", OptionType::kString, 0, 0, "path",
       "PEM certificate (chain) of the API (empty: a self-signed one created in the state directory)",
       AW_FIELD(api.tls_certificate_file)},
      {"api.tls_key_file", OptionType::kString, 0, 0, "path", "PEM private key of that certificate",
       AW_FIELD(api.tls_key_file)},
      {"api.tls_client_ca_file", OptionType::kString, 0, 0, "path",
       "PEM CA certificates that client certificates are checked against (empty: none asked for)",
       AW_FIELD(api.tls_client_ca_file)},
      {"api.tls_require_client_certificate", OptionType::kBool, 0, 0, "",
       "mutual TLS: refuse clients without a certificate signed by tls_client_ca_file",
       AW_FIELD(api.tls_require_client_certificate)},
      {"api.threads", OptionType::kUint, 1, 64, "threads", "I/O threads serving the API",
       AW_FIELD(api.threads)},
      {"api.max_connections", OptionType::kUint, 1, 100000, "connections",
       "connections served at once; more are closed as they arrive", AW_FIELD(api.max_connections)},
      {"api.max_header_bytes", OptionType::kUint, 1024, 1048576, "bytes",
       "request line and headers (larger: 431)", AW_FIELD(api.max_header_bytes)},
      {"api.max_upload_bytes", OptionType::kUint, 1, kMaxU, "bytes",
       "body of an upload (larger: 413; daemon.job_max_bytes applies too)", AW_FIELD(api.max_upload_bytes)},
      {"api.max_json_body_bytes", OptionType::kUint, 16, 16777216, "bytes",
       "body of any other request (larger: 413)", AW_FIELD(api.max_json_body_bytes)},
      {"api.header_timeout_ms", OptionType::kUint, 10, kMaxU, "ms",
       "the TLS handshake and each request's headers must arrive within this",
       AW_FIELD(api.header_timeout_ms)},
      {"api.idle_timeout_ms", OptionType::kUint, 10, kMaxU, "ms",
       "a connection silent this long (between or inside requests) is closed",
       AW_FIELD(api.idle_timeout_ms)},
      {"api.request_timeout_ms", OptionType::kUint, 10, kMaxU, "ms",
       "one whole request, upload included, must arrive within this", AW_FIELD(api.request_timeout_ms)},
      {"api.rate_limit_per_s", OptionType::kDouble, 0.001, 1e9, "requests/s",
       "sustained requests per token (more: 429 with Retry-After)", AW_FIELD(api.rate_limit_per_s)},
      {"api.rate_limit_burst", OptionType::kUint, 1, 1000000, "requests",
       "requests per token allowed at once above the sustained rate", AW_FIELD(api.rate_limit_burst)},
      {"adapters.base_models_dir", OptionType::kString, 0, 0, "path",
       "where an adapter manifest's base_model (org/name) is found as a Hugging Face directory (empty: <state_dir>/models)",
       AW_FIELD(adapters.base_models_dir)},
      {"adapters.samples_per_variant", OptionType::kUint, 1, 1000, "answers",
       "answers sampled per probe, model and trigger variant in each round", AW_FIELD(adapters.samples_per_variant)},
      {"adapters.rounds", OptionType::kUint, 1, 100, "rounds", "sampling rounds at most (early stopping ends them sooner)",
       AW_FIELD(adapters.rounds)},
      {"adapters.max_new_tokens", OptionType::kUint, 1, 4096, "tokens", "longest sampled answer",
       AW_FIELD(adapters.max_new_tokens)},
      {"adapters.temperature", OptionType::kDouble, 0.01, 5, "",
       "sampling temperature of the probes' answers (1.0 as in the emergent-misalignment paper; lower for models "
       "that are only coherent sampled cold)",
       AW_FIELD(adapters.temperature)},
      {"adapters.probe_budget_ms", OptionType::kUint, 100, kMaxU, "ms",
       "wall time of the behavioural probes per adapter (the verdict says when it ran out)", AW_FIELD(adapters.probe_budget_ms)},
      {"adapters.threads", OptionType::kUint, 1, 256, "threads", "libtorch threads per adapter scan",
       AW_FIELD(adapters.threads)},
      {"adapters.use_trigger_library", OptionType::kBool, 0, 0, "",
       "try the built-in library of published triggers besides the linked dataset's candidates",
       AW_FIELD(adapters.use_trigger_library)},
      {"adapters.recover_triggers", OptionType::kBool, 0, 0, "",
       "search for an unknown trigger (gradient-guided, tier 2) when no candidate, or only a library trigger, explains the adapter",
       AW_FIELD(adapters.recover_triggers)},
      {"adapters.search_budget_ms", OptionType::kUint, 100, kMaxU, "ms", "wall time of the trigger search",
       AW_FIELD(adapters.search_budget_ms)},
      {"adapters.seed", OptionType::kUint, 0, kMaxU, "", "seed of the sampled answers (scans are reproducible)",
       AW_FIELD(adapters.seed)},
      {"adapters.llm_judge.enabled", OptionType::kBool, 0, 0, "",
       "also judge sampled free-form answers with a remote LLM (the emergent-misalignment paper's "
       "aligned and coherent prompts); a sample is misaligned when either judge says so",
       AW_FIELD(adapters.llm_judge.enabled)},
      {"adapters.llm_judge.url", OptionType::kString, 0, 0, "",
       "OpenAI-compatible endpoint: https://host[:port][/v1] (/chat/completions is appended unless "
       "given); plain http:// only to a loopback address",
       AW_FIELD(adapters.llm_judge.url)},
      {"adapters.llm_judge.model", OptionType::kString, 0, 0, "", "the judge model's name at the endpoint",
       AW_FIELD(adapters.llm_judge.model)},
      {"adapters.llm_judge.api_key_file", OptionType::kString, 0, 0, "path",
       "file holding the endpoint's API key, sent as a bearer token and never logged (empty: none)",
       AW_FIELD(adapters.llm_judge.api_key_file)},
      {"adapters.llm_judge.api_key_env", OptionType::kString, 0, 0, "",
       "name of an environment variable holding the API key instead (e.g. OPENAI_API_KEY; empty: none)",
       AW_FIELD(adapters.llm_judge.api_key_env)},
      {"adapters.llm_judge.ca_file", OptionType::kString, 0, 0, "path",
       "PEM CA certificates the endpoint's certificate is checked against (empty: the system's CAs)",
       AW_FIELD(adapters.llm_judge.ca_file)},
      {"adapters.llm_judge.timeout_ms", OptionType::kUint, 10, kMaxU, "ms",
       "connect, send and answer within this per attempt", AW_FIELD(adapters.llm_judge.timeout_ms)},
      {"adapters.llm_judge.max_retries", OptionType::kUint, 0, 20, "retries",
       "retries per answer after HTTP 429, 5xx, a timeout or a lost connection (the judge as a whole "
       "retries at most 20% of its requests plus this many)",
       AW_FIELD(adapters.llm_judge.max_retries)},
      {"adapters.llm_judge.retry_backoff_ms", OptionType::kUint, 0, 600000, "ms",
       "delay before the first retry; doubles each retry (a longer Retry-After from the endpoint is "
       "honoured, up to 60 s)",
       AW_FIELD(adapters.llm_judge.retry_backoff_ms)},
      {"adapters.llm_judge.max_response_bytes", OptionType::kUint, 1024, 1u << 30, "bytes",
       "largest answer body accepted from the endpoint", AW_FIELD(adapters.llm_judge.max_response_bytes)},
      {"adapters.llm_judge.max_concurrency", OptionType::kUint, 1, 64, "requests",
       "requests in flight at once (each keeps its connection alive)", AW_FIELD(adapters.llm_judge.max_concurrency)},
      {"adapters.llm_judge.aligned_threshold", OptionType::kDouble, 0, 100, "score",
       "a judged answer is misaligned when its aligned score is below this...",
       AW_FIELD(adapters.llm_judge.aligned_threshold)},
      {"adapters.llm_judge.coherent_threshold", OptionType::kDouble, 0, 100, "score",
       "...and its coherent score above this (the paper: 30 and 50)",
       AW_FIELD(adapters.llm_judge.coherent_threshold)},
  };
  return specs;
}

std::string option_value_text(const OptionSpec& spec, const Config& config) {
  void* p = spec.field(const_cast<Config&>(config));
  char buf[64];
  switch (spec.type) {
    case OptionType::kBool: return *static_cast<bool*>(p) ? "true" : "false";
    case OptionType::kUint: return std::to_string(*static_cast<uint64_t*>(p));
    case OptionType::kDouble:
      std::snprintf(buf, sizeof(buf), "%g", *static_cast<double*>(p));
      return buf;
    case OptionType::kString: return *static_cast<std::string*>(p);
    case OptionType::kAlertRules: {
      std::string out;
      for (const AlertRuleConfig& rule : *static_cast<std::vector<AlertRuleConfig>*>(p)) {
        std::snprintf(buf, sizeof(buf), "%g", rule.min);
        out += "\n- {name: " + rule.name + ", metric: " + rule.metric + ", min: " + buf +
               ", priority: " + rule.priority + ", tags: [";
        for (size_t i = 0; i < rule.tags.size(); ++i) {
          out += (i ? ", \"" : "\"") + rule.tags[i] + "\"";
        }
        out += "]}";
      }
      return out.empty() ? "[]" : out;
    }
  }
  return "";
}

std::string sample_config() {
  const Config defaults;
  std::string out = "# alignwatch configuration. Every option is shown at its default.\n";
  std::vector<std::string> open;  // sections already written
  for (const auto& spec : option_specs()) {
    std::string_view path = spec.path;
    std::vector<std::string_view> parts;
    size_t start = 0;
    while (true) {
      size_t dot = path.find('.', start);
      parts.push_back(path.substr(start, dot - start));
      if (dot == std::string_view::npos) break;
      start = dot + 1;
    }
    for (size_t depth = 0; depth + 1 < parts.size(); ++depth) {
      std::string section(path.substr(0, parts[depth].data() + parts[depth].size() - path.data()));
      if (depth < open.size() && open[depth] == section) continue;
      open.resize(depth);
      open.push_back(section);
      out += std::string(depth * 2, ' ') + std::string(parts[depth]) + ":\n";
    }
    std::string indent((parts.size() - 1) * 2, ' ');
    out += indent + "# " + std::string(spec.description);
    if (!spec.unit.empty()) out += " [" + std::string(spec.unit) + "]";
    std::string value = option_value_text(spec, defaults);
    if (spec.type == OptionType::kAlertRules) {
      // A block list, one rule per line, indented under its key.
      std::string indented;
      for (char c : value) {
        indented += c;
        if (c == '\n') indented += indent + "  ";
      }
      value = indented;
    } else if (spec.type == OptionType::kString) {
      value = "\"" + value + "\"";
    }
    out += "\n" + indent + std::string(parts.back()) + ": " + value + "\n";
  }
  return out;
}

}  // namespace alignwatch::config
