#include "daemon/daemon.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "config/config_loader.h"
#include "core/logging.h"
#include "core/secret_file.h"
#include "core/text.h"
#include "daemon/alert_acknowledgement.h"
#include "daemon/alert_dispatcher.h"
#include "daemon/alert_rules.h"
#include "daemon/api_token.h"
#include "daemon/http/api_service.h"
#include "daemon/http/https_server.h"
#include "daemon/inbox_watcher.h"
#include "daemon/intake.h"
#include "daemon/scan_job.h"
#include "scanners/adapter/llm_judge.h"
#include "store/digest.h"
#include "store/evidence_store.h"
#include "store/store_schema.h"

namespace alignwatch::daemon {

namespace {

using Json = nlohmann::ordered_json;
namespace fs = std::filesystem;

int64_t now_unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string dump(const Json& json) { return json.dump(-1, ' ', false, Json::error_handler_t::replace); }

// The config file's bytes, for the config-change record's hash; empty for embedded defaults.
std::string config_text(const std::string& path) {
  if (path.empty()) return {};
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

sigset_t handled_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGHUP);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

// A control request's id: it becomes part of a store key and a file name.
bool is_request_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!is_ident_char(c) && c != '-') return false;
  }
  return true;
}

}  // namespace

Result<config::Config> load_daemon_config(const DaemonOptions& options) {
  config::Config config;
  if (!options.config_path.empty()) {
    AW_ASSIGN_OR_RETURN(config, config::load_config_file(options.config_path));
  }
  if (!options.state_dir.empty()) config.daemon.state_dir = options.state_dir;
  if (options.api_port) config.api.port = *options.api_port;
  return config;
}

Status check_daemon_config(const config::Config& config) {
  if (!config.store.chain_secret_file.empty()) {
    auto secret = read_secret_file(config.store.chain_secret_file, "store.chain_secret_file");
    if (!secret) return secret.error();
  }
  AW_RETURN_IF_ERROR(http::check_api_config(config.api));
  AW_RETURN_IF_ERROR(scan::adapter::check_llm_judge_config(config.adapters.llm_judge));
  return check_alert_outputs(config.alerts);
}

Daemon::Daemon(DaemonOptions options) : options_(std::move(options)) {}

Daemon::~Daemon() = default;

ScanEnginePtr Daemon::engine() const {
  std::lock_guard lock(engine_mutex_);
  return engine_;
}

void Daemon::wake_workers() {
  {
    std::lock_guard lock(wake_mutex_);
    ++work_generation_;
  }
  wake_.notify_all();
}

Status Daemon::start() {
  auto log = get_logger("aw.daemon");
  AW_ASSIGN_OR_RETURN(config_, load_daemon_config(options_));
  init_logging(config_.logging.level);
  AW_RETURN_IF_ERROR(check_daemon_config(config_));
  layout_ = StateLayout::from_config(config_);
  AW_RETURN_IF_ERROR(layout_.create_directories());

  store::StoreOptions store_options;
  if (!config_.store.chain_secret_file.empty()) {
    AW_ASSIGN_OR_RETURN(store_options.chain_secret,
                        read_secret_file(config_.store.chain_secret_file, "store.chain_secret_file"));
  }
  auto opened = store::EvidenceStore::open(layout_.store, store::StoreAccess::kPrimary, store_options);
  if (!opened) {
    if (opened.error().code() == StatusCode::kUnavailable) {
      return Status(StatusCode::kUnavailable,
                    opened.error().to_string() + " [hint: is another alignwatchd running on this "
                                                 "state directory?]");
    }
    return opened.error();
  }
  store_ = std::move(*opened);
  AW_ASSIGN_OR_RETURN(size_t recovered, store_->recover_running_jobs(now_unix_ms()));
  if (recovered > 0) {
    log->warn("jobs_recovered count={} (interrupted scans run again from the start)", recovered);
  }
  AW_ASSIGN_OR_RETURN(auto dispatcher, AlertDispatcher::create(config_.alerts, layout_.alerts_jsonl));
  alerts_ = dispatcher.get();
  dispatchers_.push_back(std::move(dispatcher));
  {
    std::lock_guard lock(engine_mutex_);
    engine_ = build_scan_engine(config_);
  }
  intake_ = std::make_unique<Intake>(layout_, *store_, config_.daemon.job_max_bytes);
  intake_->clean_incoming();
  record_config_change("started", "");
  AW_RETURN_IF_ERROR(start_api());

  for (size_t i = 0; i < config_.daemon.workers; ++i) {
    workers_.push_back(std::make_unique<WorkerState>());
    workers_.back()->heartbeat_ms = steady_ms();
  }
  for (size_t i = 0; i < workers_.size(); ++i) {
    workers_[i]->thread = std::thread([this, i] { worker_loop(i); });
  }
  watcher_ = std::make_unique<InboxWatcher>(
      layout_, [this](InboxKind kind, const std::string& name) { handle_inbox(kind, name); },
      [this] { watcher_heartbeat_ms_ = steady_ms(); },
      std::chrono::milliseconds(config_.daemon.inbox_rescan_ms));
  AW_RETURN_IF_ERROR(watcher_->start());
  watcher_heartbeat_ms_ = steady_ms();
  watcher_thread_ = std::thread([this] {
    watcher_->sweep();  // what arrived while the daemon was down
    watcher_->run();
  });
  log->info("started state_dir={} workers={} store={} config={}", layout_.root.string(),
            workers_.size(), layout_.store.string(),
            options_.config_path.empty() ? "<embedded defaults>" : options_.config_path);
  return Status::ok();
}

config::Config Daemon::current_config() const {
  return engine()->config;
}

Status Daemon::start_api() {
  std::error_code ignored;
  const fs::path endpoint_file = layout_.root / "api-endpoint.json";
  fs::remove(endpoint_file, ignored);
  if (!config_.api.enabled) return Status::ok();
  http::ApiBackend backend;
  backend.store = store_.get();
  backend.intake = intake_.get();
  backend.metrics = &metrics_;
  backend.on_queued = [this] { wake_workers(); };
  backend.webhook_dropped = [this] {
    AlertDispatcher* dispatcher = alerts_.load();
    return dispatcher ? dispatcher->webhook_dropped() : 0;
  };
  backend.config = [this] { return current_config(); };
  api_ = std::make_unique<http::ApiService>(std::move(backend), config_.api, config_.daemon.job_max_bytes);
  AW_ASSIGN_OR_RETURN(server_, http::HttpsServer::create(config_.api, *api_, metrics_, layout_.root));
  AW_RETURN_IF_ERROR(server_->start());
  // Clients and tests find the API here (the port may have been chosen by the kernel).
  Json endpoint{{"url", server_->url()},
                {"port", server_->port()},
                {"tls", config_.api.tls},
                {"fingerprint_sha256", server_->fingerprint_sha256()},
                {"certificate", config_.api.tls ? (config_.api.tls_certificate_file.empty()
                                                       ? (layout_.root / "api-cert.pem").string()
                                                       : config_.api.tls_certificate_file)
                                                : std::string()}};
  const fs::path temp = layout_.root / ".api-endpoint.json.tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << dump(endpoint) << "\n";
  }
  fs::rename(temp, endpoint_file, ignored);
  get_logger("aw.api")->info("api_listening url={} tls={} fingerprint_sha256={}{}", server_->url(),
                             config_.api.tls, server_->fingerprint_sha256(),
                             server_->certificate_created() ? " (self-signed certificate created)" : "");
  return Status::ok();
}

int Daemon::run() {
  auto log = get_logger("aw.daemon");
  sigset_t signals = handled_signals();
  // Blocked in this thread before any other exists, so every thread inherits the mask and the
  // signals are only ever taken here, by sigtimedwait.
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  Status started = start();
  if (!started.is_ok()) {
    log->critical("start_failed error=\"{}\"", started.to_string());
    std::fprintf(stderr, "alignwatchd: %s\n", started.to_string().c_str());
    stopping_ = true;
    wake_workers();
    if (server_) server_->stop();
    if (watcher_) watcher_->stop();
    for (auto& worker : workers_) {
      if (worker->thread.joinable()) worker->thread.join();
    }
    if (watcher_thread_.joinable()) watcher_thread_.join();
    return 1;
  }
  notifier_.ready(fmt::format("serving: {} workers, state {}", workers_.size(), layout_.root.string()));

  const auto watchdog = ServiceNotifier::watchdog_period();
  int64_t last_watchdog = 0;
  while (true) {
    timespec timeout{0, 250 * 1000 * 1000};
    siginfo_t info{};
    int sig = sigtimedwait(&signals, &info, &timeout);
    if (sig == SIGHUP) {
      reload();
    } else if (sig == SIGTERM || sig == SIGINT) {
      log->info("stopping signal={}", sig == SIGTERM ? "SIGTERM" : "SIGINT");
      break;
    }
    if (watchdog) {
      const int64_t now = steady_ms();
      const int64_t half = std::chrono::duration_cast<std::chrono::milliseconds>(*watchdog).count() / 2;
      if (now - last_watchdog >= half) {
        // Only while every worker and the watcher have reported in: a hung one trips systemd's
        // watchdog and the unit restarts.
        if (workers_healthy()) {
          notifier_.watchdog();
          last_watchdog = now;
        } else if (now - last_watchdog >= 2 * half) {
          log->error("watchdog_withheld: a worker or the inbox watcher has not reported in");
          last_watchdog = now;
        }
      }
    }
  }
  notifier_.stopping();
  const bool clean = stop();
  if (!clean) {
    // Scans still running keep their job in `running`; the next start re-runs them. Everything
    // committed is synced, so leaving without closing the store loses nothing.
    log->warn("stopped with scans still running; they resume at the next start");
    spdlog::shutdown();
    std::_Exit(0);
  }
  log->info("stopped");
  return 0;
}

bool Daemon::stop() {
  stopping_ = true;
  // The API first: no new uploads or acks while the rest shuts down.
  if (server_) server_->stop();
  wake_workers();
  if (watcher_) watcher_->stop();
  if (watcher_thread_.joinable()) watcher_thread_.join();
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(config_.daemon.shutdown_grace_ms);
  bool all_exited = false;
  while (std::chrono::steady_clock::now() < deadline) {
    all_exited = std::all_of(workers_.begin(), workers_.end(),
                             [](const auto& worker) { return worker->exited.load(); });
    if (all_exited) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  all_exited = std::all_of(workers_.begin(), workers_.end(),
                           [](const auto& worker) { return worker->exited.load(); });
  if (!all_exited) return false;
  for (auto& worker : workers_) {
    if (worker->thread.joinable()) worker->thread.join();
  }
  alerts_ = nullptr;
  dispatchers_.clear();
  store_.reset();
  return true;
}

bool Daemon::workers_healthy() const {
  const int64_t now = steady_ms();
  const int64_t stall = config_.daemon.worker_stall_ms != 0
                            ? static_cast<int64_t>(config_.daemon.worker_stall_ms)
                            : static_cast<int64_t>(config_.daemon.job_timeout_ms) + 30000;
  for (const auto& worker : workers_) {
    // An idle worker reports every half second; a busy one at the start and end of each job,
    // and a scan is bounded by job_timeout_ms.
    const int64_t limit = worker->busy ? stall : 5000;
    if (now - worker->heartbeat_ms.load() > limit) return false;
  }
  return now - watcher_heartbeat_ms_.load() <= 5000;
}

void Daemon::worker_loop(size_t index) {
  auto log = get_logger("aw.worker");
  WorkerState& self = *workers_[index];
  while (!stopping_) {
    self.heartbeat_ms = steady_ms();
    self.busy = false;
    uint64_t seen = 0;
    {
      // Read before claiming, so work queued between the claim and the wait is not missed.
      std::lock_guard lock(wake_mutex_);
      seen = work_generation_;
    }
    auto claimed = store_->claim_next(now_unix_ms());
    if (!claimed) {
      log->error("claim_failed worker={} error=\"{}\"", index, claimed.error().to_string());
      std::unique_lock lock(wake_mutex_);
      wake_.wait_for(lock, std::chrono::seconds(1), [&] { return stopping_.load(); });
      continue;
    }
    if (!*claimed) {
      // Woken by new work; the timeout catches retries coming due.
      std::unique_lock lock(wake_mutex_);
      wake_.wait_for(lock, std::chrono::milliseconds(500),
                     [&] { return stopping_.load() || work_generation_ != seen; });
      continue;
    }
    const store::JobRecord job = std::move(**claimed);
    self.busy = true;
    self.heartbeat_ms = steady_ms();
    const ScanEnginePtr snapshot = engine();
    const auto started = std::chrono::steady_clock::now();
    log->info("scan_started job_id={} artifact={} attempt={}", job.id, job.artifact_sha256, job.attempts);
    ScanJobOutcome outcome = run_scan_job(*snapshot, layout_, job);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    self.heartbeat_ms = steady_ms();

    if (outcome.kind == ScanJobOutcome::Kind::kTransientFailure) {
      if (job.attempts < snapshot->config.daemon.job_max_attempts) {
        const uint64_t backoff = snapshot->config.daemon.retry_backoff_ms << std::min<uint32_t>(job.attempts - 1, 20);
        auto failed = store_->fail_job(job.id, outcome.error, now_unix_ms() + static_cast<int64_t>(backoff), {},
                                       now_unix_ms());
        log->warn("scan_retry job_id={} attempt={} in_ms={} error=\"{}\"", job.id, job.attempts, backoff,
                  outcome.error);
        if (!failed) log->error("job_update_failed job_id={} error=\"{}\"", job.id, failed.error().to_string());
        continue;
      }
      outcome = permanent_failure(*snapshot, job, "gave up after " + std::to_string(job.attempts) +
                                                      " attempts: " + outcome.error);
    }
    Result<std::vector<store::AppendedRecord>> committed =
        outcome.kind == ScanJobOutcome::Kind::kDone
            ? store_->finish_job(job.id, outcome.evidence, outcome.report_index, now_unix_ms())
            : store_->fail_job(job.id, outcome.error, std::nullopt, outcome.evidence, now_unix_ms());
    if (!committed) {
      // The job stays running in the store; recovery at the next start runs it again.
      log->error("evidence_commit_failed job_id={} error=\"{}\"", job.id, committed.error().to_string());
      continue;
    }
    metrics_.scan_finished(outcome.verdict, seconds);
    log->info("scan_done job_id={} artifact={} verdict={} seconds={:.3f} evidence={} alerts={}", job.id,
              job.artifact_sha256, outcome.verdict, seconds, outcome.evidence.size(),
              outcome.alert_indexes.size());
    for (size_t i : outcome.alert_indexes) {
      alerts_.load()->dispatch((*committed)[i].key, outcome.evidence[i].value_json);
    }
  }
  self.exited = true;
}

void Daemon::handle_inbox(InboxKind kind, const std::string& name) {
  if (kind == InboxKind::kControl) {
    handle_control(name);
    return;
  }
  const ArtifactKind artifact = kind == InboxKind::kDatasets ? ArtifactKind::kDataset : ArtifactKind::kAdapter;
  IntakeResult result = intake_->take(artifact, name);
  if (result.outcome == IntakeResult::Outcome::kQueued || result.outcome == IntakeResult::Outcome::kDuplicate) {
    metrics_.bytes_ingested("inbox", result.size_bytes);
  }
  if (result.outcome == IntakeResult::Outcome::kQueued) {
    wake_workers();
  } else if (result.outcome == IntakeResult::Outcome::kRejected) {
    raise_rejection_alerts(std::string(artifact_kind_name(artifact)), name, result);
  }
}

void Daemon::raise_rejection_alerts(const std::string& kind, const std::string& name,
                                    const IntakeResult& result) {
  const ScanEnginePtr snapshot = engine();
  AlertSubject subject{result.artifact_sha256, kind, safe_excerpt(name, 255), 0, {}, {}, result.reason};
  std::vector<store::EvidenceRecord> records;
  for (std::string& alert : evaluate_alert_rules(snapshot->config.alerts, rejected_metrics(), subject, now_unix_ms())) {
    records.push_back({store::EvidenceKind::kAlert, "", std::move(alert)});
  }
  if (records.empty()) return;
  auto appended = store_->append(records);
  if (!appended) {
    get_logger("aw.daemon")->error("alert_store_failed error=\"{}\"", appended.error().to_string());
    return;
  }
  for (size_t i = 0; i < records.size(); ++i) {
    alerts_.load()->dispatch((*appended)[i].key, records[i].value_json);
  }
}

void Daemon::handle_control(const std::string& name) {
  auto log = get_logger("aw.control");
  if (name.empty() || name.front() == '.' || name.ends_with(".result.json") || !name.ends_with(".json") ||
      !is_acceptable_inbox_name(name)) {
    return;
  }
  const fs::path path = layout_.inbox_control / name;
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return;
  struct stat st {};
  std::string text;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size <= 64 * 1024) {
    text.resize(static_cast<size_t>(st.st_size));
    ssize_t got = ::pread(fd, text.data(), text.size(), 0);
    text.resize(got > 0 ? static_cast<size_t>(got) : 0);
  }
  ::close(fd);
  ::unlink(path.c_str());

  Json request = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  const std::string request_id = request.is_object() ? request.value("request_id", "") : "";
  Json response{{"request_id", request_id}, {"ok", false}};
  auto finish = [&](std::string message) {
    response["message"] = std::move(message);
    if (!is_request_id(request_id)) return;
    const fs::path temp = layout_.inbox_control / ("." + request_id + ".result.tmp");
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << dump(response);
    out.close();
    std::error_code error;
    fs::rename(temp, layout_.inbox_control / (request_id + ".result.json"), error);
  };
  if (!request.is_object() || !is_request_id(request_id)) {
    log->warn("control_refused file=\"{}\" reason=\"expected a JSON object with a request_id\"",
              safe_excerpt(name, 80));
    return;
  }
  const std::string action = request.value("action", "");
  if (action == "token_create" || action == "token_revoke") {
    // Only the token's hash travels through the inbox: the CLI made the token and shows it.
    const std::string token_name = request.value("name", "");
    Result<store::AppendedRecord> changed = make_error(StatusCode::kInvalidArgument, "");
    if (action == "token_create") {
      store::ApiToken token{request.value("token_sha256", ""), token_name, request.value("role", ""),
                            now_unix_ms(), 0};
      if (!is_api_token_name(token.name) || !is_api_role(token.role)) {
        finish("a token needs a name (letters, digits, -_.) and a role: pipeline, reviewer or admin");
        return;
      }
      changed = store_->add_api_token(token);
    } else {
      changed = store_->revoke_api_token(token_name, now_unix_ms());
    }
    if (!changed) {
      finish(changed.error().message());
      return;
    }
    response["ok"] = true;
    response["seq"] = changed->seq;
    log->info("{} name=\"{}\" seq={}", action, safe_excerpt(token_name, 64), changed->seq);
    finish(action == "token_create" ? "created" : "revoked");
    return;
  }
  if (action != "ack") {
    finish("unknown action: expected \"ack\", \"token_create\" or \"token_revoke\"");
    return;
  }
  const std::string alert_id = request.value("alert_id", "");
  auto appended = acknowledge_alert(*store_, alert_id, request.value("by", ""),
                                    request.value("reason", ""), request_id, now_unix_ms());
  if (!appended) {
    finish(appended.error().message());
    return;
  }
  const std::string by = request.value("by", "");
  response["ok"] = true;
  response["seq"] = appended->seq;
  response["key"] = appended->key;
  log->info("alert_acknowledged id={} by=\"{}\" seq={}", alert_id, safe_excerpt(by, 60), appended->seq);
  finish("acknowledged");
}

void Daemon::record_config_change(std::string_view event, const std::string& detail) {
  const std::string text = config_text(options_.config_path);
  auto digest = store::sha256(text);
  Json record{{"event", event},
              {"config_path", options_.config_path.empty() ? "<embedded defaults>" : options_.config_path},
              {"config_sha256", digest ? store::to_hex(*digest) : ""},
              {"detail", detail},
              {"unix_ms", now_unix_ms()}};
  auto appended = store_->append(store::EvidenceRecord{store::EvidenceKind::kConfigChange, "", dump(record)});
  if (!appended) {
    get_logger("aw.daemon")->error("config_change_store_failed error=\"{}\"", appended.error().to_string());
  }
}

void Daemon::reload() {
  auto log = get_logger("aw.daemon");
  notifier_.reloading();
  // Dry run: everything the new config needs is built before anything is swapped.
  auto attempt = [&]() -> Result<std::pair<config::Config, std::unique_ptr<AlertDispatcher>>> {
    AW_ASSIGN_OR_RETURN(config::Config next, load_daemon_config(options_));
    AW_RETURN_IF_ERROR(check_daemon_config(next));
    const StateLayout next_layout = StateLayout::from_config(next);
    if (next_layout.root != layout_.root || next_layout.store != layout_.store ||
        next.store.chain_secret_file != config_.store.chain_secret_file) {
      return make_error(StatusCode::kInvalidArgument,
                        "reload: daemon.state_dir, store.path and store.chain_secret_file take effect "
                        "only at a restart");
    }
    AW_ASSIGN_OR_RETURN(auto dispatcher, AlertDispatcher::create(next.alerts, next_layout.alerts_jsonl));
    return std::make_pair(std::move(next), std::move(dispatcher));
  };
  auto next = attempt();
  if (!next) {
    log->critical("reload_refused error=\"{}\" (the previous configuration stays in force)",
                  next.error().to_string());
    record_config_change("reload_refused", next.error().to_string());
    notifier_.ready("reload refused: " + next.error().to_string());
    return;
  }
  ScanEnginePtr engine = build_scan_engine(next->first);
  if (!(next->first.api.address == config_.api.address && next->first.api.port == config_.api.port &&
        next->first.api.tls == config_.api.tls && next->first.api.enabled == config_.api.enabled)) {
    log->warn("reload: api settings take effect at the next start");
  }
  if (next->first.daemon.workers != config_.daemon.workers) {
    log->warn("reload: daemon.workers changes take effect at the next start");
  }
  init_logging(next->first.logging.level);
  config_ = std::move(next->first);
  {
    std::lock_guard lock(engine_mutex_);
    engine_ = std::move(engine);
  }
  // Workers dispatch through alerts_ without a lock: the old dispatcher is kept until stop, so a
  // worker in the middle of a dispatch never sees it destroyed.
  alerts_ = next->second.get();
  dispatchers_.push_back(std::move(next->second));
  record_config_change("reloaded", "");
  log->info("reloaded config={}", options_.config_path.empty() ? "<embedded defaults>" : options_.config_path);
  notifier_.ready("serving (reloaded)");
}

}  // namespace alignwatch::daemon
