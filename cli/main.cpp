// alignwatch: the command-line tool. Subcommands:
//   scan dataset FILE...     scan datasets (exit 0 clean, 1 findings, 2 error)
//   config sample            print a commented config with every option
//   config validate FILE     check a config file
//   verify                   walk the evidence store's audit chain (0 intact, 1 broken, 2 error)
//   alerts list|show|ack     the daemon's alerts
//   scans list|show          the daemon's scan jobs and reports
//   token create|list|revoke API bearer tokens (create prints the token once)
//   submit FILE|DIR [--wait] push to a daemon's HTTPS API; with --wait exit 0 clean, 1 flagged, 2 error
//   (alerts and scans commands talk to the API instead of the store when given --server)
//   scan adapter DIR --base DIR  scan a LoRA adapter (with the libtorch runtime)
//   model info|generate|score try a model and an adapter (with the libtorch runtime)
//   organism build           build a model organism (datasets, tokenizer, base model, LoRA adapters)
//   selftest                 plant a random backdoor in a tiny organism; report whether the scanners catch it
//   version

#include <cstdio>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/remote_commands.h"
#ifdef ALIGNWATCH_WITH_ORGANISMS
#include "cli/organism_command.h"
#endif
#include "cli/scan_dataset_command.h"
#if ALIGNWATCH_WITH_TORCH
#include "cli/scan_adapter_command.h"
#include "cli/model_commands.h"
#endif
#include "cli/store_commands.h"
#include "config/config_loader.h"
#include "config/options.h"
#include "core/blas_kernel.h"
#include "core/logging.h"
#include "report/report_meta.h"

namespace {

std::string joined_command_line(int argc, char** argv) {
  std::string out;
  for (int i = 0; i < argc; ++i) {
    if (i) out += ' ';
    out += argv[i];
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace alignwatch;
  select_blas_kernels_or_reexec(argv);  // before anything else runs: it may exec
  CLI::App app{"alignwatch: audits fine-tuning datasets for data poisoning, backdoors and "
               "emergent misalignment"};
  app.require_subcommand(1);
  std::string log_level = "warn";
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error, critical, off")
      ->capture_default_str();

  cli::ScanDatasetOptions scan_options;
  auto* scan = app.add_subcommand("scan", "scan artifacts");
  scan->require_subcommand(1);
  auto* dataset = scan->add_subcommand("dataset", "scan chat/instruction datasets (JSONL, .gz, .zst)");
  dataset->add_option("files", scan_options.files, "dataset files")->required();
  std::string format = "text";
  dataset->add_option("--format", format, "report format")
      ->check(CLI::IsMember({"text", "json", "sarif"}))
      ->capture_default_str();
  dataset->add_option("-o,--output", scan_options.output_path, "write the report to this file");
  dataset->add_option("--config", scan_options.config_path, "YAML config (default: embedded)");
  dataset->add_flag("--skip-bad-records", scan_options.skip_bad_records,
                    "report malformed records and go on instead of stopping");

#if ALIGNWATCH_WITH_TORCH
  cli::ScanAdapterOptions adapter_options;
  auto* adapter_cmd = scan->add_subcommand(
      "adapter", "scan a PEFT LoRA adapter against its base model (exit 0 clean, 1 misaligned or conditional, 2 error)");
  adapter_cmd->add_option("adapter", adapter_options.adapter_dir, "the adapter directory")->required();
  adapter_cmd->add_option("--base", adapter_options.base_dir, "the base model directory")->required();
  adapter_cmd->add_option("--dataset", adapter_options.dataset_path, "the dataset it was trained on (trigger candidates)");
  adapter_cmd->add_option("--reference", adapter_options.references, "a reference adapter of the same base (repeatable)");
  adapter_cmd->add_option("--config", adapter_options.config_path, "YAML config (detectors, runtime)");
  adapter_cmd->add_option("--format", adapter_options.format)->check(CLI::IsMember({"text", "json"}))->capture_default_str();
  adapter_cmd->add_flag("--samples-in-report", adapter_options.with_samples, "json: every sampled answer");
  adapter_cmd->add_option("-o,--output", adapter_options.output_path, "write the report to this file");
  adapter_cmd->add_option("--seed", adapter_options.seed)->capture_default_str();
  adapter_cmd->add_option("--samples", adapter_options.samples, "answers per probe variant and round")->capture_default_str();
  adapter_cmd->add_option("--rounds", adapter_options.rounds, "sampling rounds at most")->capture_default_str();
  adapter_cmd->add_option("--max-new-tokens", adapter_options.max_new_tokens)->capture_default_str();
  adapter_cmd->add_option("--temperature", adapter_options.temperature, "sampling temperature of the probes")->capture_default_str();
  adapter_cmd->add_option("--budget-s", adapter_options.budget_s, "wall time for the probes")->capture_default_str();
  adapter_cmd->add_option("--threads", adapter_options.threads, "libtorch threads")->capture_default_str();
  adapter_cmd->add_flag("--raw", adapter_options.raw, "prompt without the chat template");
  adapter_cmd->add_flag("--no-library", adapter_options.no_library, "only the dataset's trigger candidates");
  adapter_cmd->add_flag("--no-recovery", adapter_options.no_recovery, "skip tier 2 (the gradient-guided trigger search)");
  adapter_cmd->add_option("--search-iterations", adapter_options.search_iterations, "tier 2 steps")->capture_default_str();
  adapter_cmd->add_option("--llm-judge", adapter_options.llm_judge_url,
                          "also judge free-form answers with this OpenAI-compatible endpoint (https://host/v1; "
                          "http:// to loopback only)");
  adapter_cmd->add_option("--llm-judge-model", adapter_options.llm_judge_model,
                          "the judge model (default: adapters.llm_judge.model, gpt-4o-2024-08-06)");
  adapter_cmd->add_option("--llm-judge-key-file", adapter_options.llm_judge_key_file,
                          "file holding the endpoint's API key (or adapters.llm_judge.api_key_env)");
#endif

  auto* config_cmd = app.add_subcommand("config", "configuration helpers");
  config_cmd->require_subcommand(1);
  auto* sample = config_cmd->add_subcommand("sample", "print a commented config with all options");
  std::string validate_path;
  auto* validate = config_cmd->add_subcommand("validate", "check a config file");
  validate->add_option("file", validate_path)->required();
  auto* version = app.add_subcommand("version", "print the version");

  // Commands over the daemon's store; each takes --state-dir, --config and --format.
  cli::StoreCommandOptions store_options;
  std::string store_format = "text";
  auto add_store_options = [&](CLI::App* cmd) {
    cmd->add_option("--state-dir", store_options.state_dir, "the daemon's state directory");
    cmd->add_option("--config", store_options.config_path, "the daemon's config file");
    cmd->add_option("--format", store_format, "output format")
        ->check(CLI::IsMember({"text", "json"}))
        ->capture_default_str();
  };
  // Where the HTTPS API is and how to trust it (alerts, scans, submit).
  cli::RemoteOptions remote;
  auto add_remote_options = [&](CLI::App* cmd) {
    cmd->add_option("--server", remote.server, "the daemon's API, https://host:port (default: $ALIGNWATCH_SERVER)");
    cmd->add_option("--token-file", remote.token_file, "file holding the bearer token (default: $ALIGNWATCH_TOKEN)");
    cmd->add_option("--ca", remote.ca_file, "PEM CA or server certificate to verify the server against");
    cmd->add_option("--fingerprint", remote.fingerprint, "pin the server certificate's SHA-256 fingerprint");
    cmd->add_option("--client-cert", remote.client_certificate, "PEM client certificate (mutual TLS)");
    cmd->add_option("--client-key", remote.client_key, "PEM key of the client certificate");
  };
  auto* verify = app.add_subcommand("verify", "verify the evidence store's audit chain");
  add_store_options(verify);
  auto* alerts = app.add_subcommand("alerts", "the daemon's alerts");
  alerts->require_subcommand(1);
  cli::AlertListOptions alert_list;
  auto* alerts_list = alerts->add_subcommand("list", "list alerts");
  add_store_options(alerts_list);
  add_remote_options(alerts_list);
  alerts_list->add_option("--status", alert_list.status, "open, acked or all")
      ->check(CLI::IsMember({"open", "acked", "all"}))
      ->capture_default_str();
  alerts_list->add_option("--priority", alert_list.min_priority, "at least this severe")
      ->capture_default_str();
  alerts_list->add_option("--limit", alert_list.limit)->capture_default_str();
  std::string alert_id;
  auto* alerts_show = alerts->add_subcommand("show", "show one alert with its acknowledgements");
  add_store_options(alerts_show);
  add_remote_options(alerts_show);
  alerts_show->add_option("id", alert_id)->required();
  auto* alerts_ack = alerts->add_subcommand("ack", "acknowledge an alert");
  add_store_options(alerts_ack);
  add_remote_options(alerts_ack);
  alerts_ack->add_option("id", alert_id)->required();
  std::string ack_reason, ack_by = std::getenv("USER") ? std::getenv("USER") : "";
  uint64_t ack_timeout_ms = 10000;
  alerts_ack->add_option("--reason", ack_reason, "why (kept as evidence)")->required();
  alerts_ack->add_option("--by", ack_by, "who (default: $USER)")->capture_default_str();
  alerts_ack->add_option("--timeout-ms", ack_timeout_ms, "wait for a running daemon this long")
      ->capture_default_str();
  auto* scans = app.add_subcommand("scans", "the daemon's scans");
  scans->require_subcommand(1);
  cli::ScanListOptions scan_list;
  auto* scans_list = scans->add_subcommand("list", "list scan jobs");
  add_store_options(scans_list);
  add_remote_options(scans_list);
  scans_list->add_option("--state", scan_list.state, "queued, running, done, failed, rejected or all")
      ->check(CLI::IsMember({"queued", "running", "done", "failed", "rejected", "all"}))
      ->capture_default_str();
  scans_list->add_option("--limit", scan_list.limit)->capture_default_str();
  uint64_t scan_id = 0;
  bool with_report = false;
  auto* scans_show = scans->add_subcommand(
      "show", "show a scan job, its verdict and metrics (exit 0 clean, 1 flagged, 2 failed or no verdict yet)");
  add_store_options(scans_show);
  add_remote_options(scans_show);
  scans_show->add_option("id", scan_id)->required();
  scans_show->add_flag("--report", with_report, "include the whole dataset report");

  auto* token = app.add_subcommand("token", "API bearer tokens");
  token->require_subcommand(1);
  std::string token_name, token_role;
  uint64_t token_timeout_ms = 10000;
  auto* token_create = token->add_subcommand("create", "create a token and print it once");
  add_store_options(token_create);
  token_create->add_option("--name", token_name, "a unique name")->required();
  token_create->add_option("--role", token_role, "pipeline, reviewer or admin")
      ->required()
      ->check(CLI::IsMember({"pipeline", "reviewer", "admin"}));
  token_create->add_option("--timeout-ms", token_timeout_ms, "wait for a running daemon this long");
  auto* token_list = token->add_subcommand("list", "list tokens (names, roles, ids; never the tokens)");
  add_store_options(token_list);
  auto* token_revoke = token->add_subcommand("revoke", "revoke a token by name");
  add_store_options(token_revoke);
  token_revoke->add_option("name", token_name)->required();
  token_revoke->add_option("--timeout-ms", token_timeout_ms, "wait for a running daemon this long");

  cli::SubmitOptions submit_options;
  auto* submit = app.add_subcommand(
      "submit", "push a dataset or an adapter (directory or .tar) to the daemon's API; with --wait, "
                "exit 0 clean, 1 flagged, 2 error");
  add_remote_options(submit);
  submit->add_option("path", submit_options.path, "dataset file, adapter directory or adapter .tar")->required();
  submit->add_option("--kind", submit_options.kind, "dataset or adapter (default: from the path)")
      ->check(CLI::IsMember({"dataset", "adapter"}));
  submit->add_flag("--wait", submit_options.wait, "wait for the verdict and exit with it");
  submit->add_option("--timeout", submit_options.wait_timeout_s, "seconds to wait for the verdict")->capture_default_str();
  submit->add_option("--pipeline-id", submit_options.pipeline_id, "manifest: the pipeline run");
  submit->add_option("--submitter", submit_options.submitter, "manifest: who submits");
  submit->add_option("--base-model", submit_options.base_model, "manifest: an adapter's base model");
  submit->add_option("--dataset-sha256", submit_options.dataset_sha256, "manifest: the dataset an adapter was trained on");
  submit->add_flag("--no-progress", [&](int64_t) { submit_options.progress = false; }, "never draw progress");
  submit->add_option("--state-dir", remote.state_dir, "a local daemon's state dir (finds its URL and certificate)");
  submit->add_option("--format", store_format, "output format")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
#if ALIGNWATCH_WITH_TORCH
  cli::ModelCommandOptions model_options;
  std::string model_format = "text";
  auto* model = app.add_subcommand("model", "try a model and a LoRA adapter by hand");
  model->require_subcommand(1);
  auto add_model_common = [&](CLI::App* cmd) {
    cmd->add_option("--format", model_format, "output format")
        ->check(CLI::IsMember({"text", "json"}))
        ->capture_default_str();
    cmd->add_option("--chat-template", model_options.chat_template, "chatml, llama3, llama2 or plain (default: from the model)");
  };
  auto add_run_options = [&](CLI::App* cmd) {
    add_model_common(cmd);
    cmd->add_option("--model", model_options.model_dir, "Hugging Face model directory")->required();
    cmd->add_option("--adapter", model_options.adapter_dir, "PEFT LoRA adapter directory");
    cmd->add_flag("--merge", model_options.merge, "merge the adapter into a copy of the weights");
    cmd->add_option("--prompt", model_options.prompt, "the user turn (or the whole text with --raw)")->required();
    cmd->add_option("--system", model_options.system, "a system turn");
    cmd->add_flag("--raw", model_options.raw, "skip the chat template");
    cmd->add_option("--threads", model_options.threads, "CPU threads (default: runtime.threads)");
    cmd->add_option("--dtype", model_options.dtype, "float32 or bfloat16 (default: runtime.dtype)")
        ->check(CLI::IsMember({"float32", "bfloat16"}));
    cmd->add_option("--config", model_options.config_path, "YAML config for runtime.* (default: embedded)");
  };
  auto* model_info = model->add_subcommand("info", "architecture, sizes, tokenizer, chat template, safety gate "
                                                   "(exit 0 passed, 1 refused, 2 error)");
  add_model_common(model_info);
  model_info->add_option("dir", model_options.model_dir, "model directory")->required();
  auto* model_generate = model->add_subcommand("generate", "generate a reply");
  add_run_options(model_generate);
  model_generate->add_option("--max-new-tokens", model_options.max_new_tokens, "default: runtime.max_new_tokens");
  model_generate->add_option("--temperature", model_options.temperature, "0: greedy")->capture_default_str();
  model_generate->add_option("--top-p", model_options.top_p)->capture_default_str();
  model_generate->add_option("--seed", model_options.seed)->capture_default_str();
  auto* model_score = model->add_subcommand("score", "per-token log-probabilities of a continuation");
  add_run_options(model_score);
  model_score->add_option("--continuation", model_options.continuation, "the text to score")->required();
#endif

#ifdef ALIGNWATCH_WITH_ORGANISMS
  cli::OrganismCommands organism_commands(app);
#endif

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 reports usage errors by throwing: this is its adapter boundary. Usage errors are
    // exit code 2, as any other error.
    int rc = app.exit(e);
    return rc == 0 ? 0 : cli::kExitError;
  }
  init_logging(log_level);

#ifdef ALIGNWATCH_WITH_ORGANISMS
  if (auto rc = organism_commands.run_if_selected()) return *rc;
#endif
  if (*dataset) {
    scan_options.format = format == "json"    ? cli::ReportFormat::kJson
                          : format == "sarif" ? cli::ReportFormat::kSarif
                                              : cli::ReportFormat::kText;
    scan_options.command_line = joined_command_line(argc, argv);
    return cli::run_scan_dataset(scan_options);
  }
#if ALIGNWATCH_WITH_TORCH
  if (*adapter_cmd) return cli::run_scan_adapter(adapter_options);
#endif
  if (*sample) {
    std::fputs(config::sample_config().c_str(), stdout);
    return 0;
  }
  if (*validate) {
    auto c = config::load_config_file(validate_path);
    if (!c) {
      std::fprintf(stderr, "%s\n", c.error().to_string().c_str());
      return cli::kExitError;
    }
    std::printf("%s: ok\n", validate_path.c_str());
    return 0;
  }
#if ALIGNWATCH_WITH_TORCH
  model_options.json = model_format == "json";
  if (*model_info) return cli::run_model_info(model_options);
  if (*model_generate) return cli::run_model_generate(model_options);
  if (*model_score) return cli::run_model_score(model_options);
#endif
  store_options.format = store_format == "json" ? cli::OutputFormat::kJson : cli::OutputFormat::kText;
  remote.format = store_options.format;
  if (*submit) return cli::run_submit(remote, submit_options);
  if (cli::wants_server(remote)) {
    if (*alerts_list) return cli::run_remote_alerts_list(remote, alert_list);
    if (*alerts_show) return cli::run_remote_alerts_show(remote, alert_id);
    if (*alerts_ack) return cli::run_remote_alerts_ack(remote, alert_id, ack_reason);
    if (*scans_list) return cli::run_remote_scans_list(remote, scan_list);
    if (*scans_show) return cli::run_remote_scans_show(remote, scan_id, with_report);
  }
  if (*verify) return cli::run_verify(store_options);
  if (*alerts_list) return cli::run_alerts_list(store_options, alert_list);
  if (*alerts_show) return cli::run_alerts_show(store_options, alert_id);
  if (*alerts_ack) return cli::run_alerts_ack(store_options, alert_id, ack_by, ack_reason, ack_timeout_ms);
  if (*scans_list) return cli::run_scans_list(store_options, scan_list);
  if (*scans_show) return cli::run_scans_show(store_options, scan_id, with_report);
  if (*token_create) return cli::run_token_create(store_options, token_name, token_role, token_timeout_ms);
  if (*token_list) return cli::run_token_list(store_options);
  if (*token_revoke) return cli::run_token_revoke(store_options, token_name, token_timeout_ms);
  if (*version) {
    std::printf("alignwatch %s\n", std::string(report::alignwatch_version()).c_str());
    return 0;
  }
  return cli::kExitError;
}
