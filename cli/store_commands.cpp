#include "cli/store_commands.h"
#include "cli/query_output.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>
#include <thread>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/scan_dataset_command.h"
#include "core/secret_file.h"
#include "core/text.h"
#include "daemon/alert_acknowledgement.h"
#include "daemon/api_token.h"
#include "daemon/daemon.h"
#include "daemon/evidence_queries.h"
#include "daemon/state_layout.h"
#include "store/evidence_store.h"

namespace alignwatch::cli {

namespace {

using Json = nlohmann::ordered_json;
namespace fs = std::filesystem;

void print_error(const Status& status) {
  std::fprintf(stderr, "alignwatch: %s\n", status.to_string().c_str());
}

// An open store; a secondary instance's own files are removed when it closes.
struct OpenedStore {
  config::Config config;
  daemon::StateLayout layout;
  std::unique_ptr<store::EvidenceStore> store;
  fs::path secondary_dir;  // empty unless opened as a secondary

  OpenedStore() = default;
  OpenedStore(OpenedStore&& other) noexcept
      : config(std::move(other.config)),
        layout(std::move(other.layout)),
        store(std::move(other.store)),
        secondary_dir(std::exchange(other.secondary_dir, {})) {}
  OpenedStore& operator=(OpenedStore&&) = delete;
  ~OpenedStore() {
    store.reset();
    std::error_code ignored;
    if (!secondary_dir.empty()) fs::remove_all(secondary_dir, ignored);
  }
};

Result<std::string> chain_secret(const config::Config& config) {
  if (config.store.chain_secret_file.empty()) return std::string();
  return read_secret_file(config.store.chain_secret_file, "store.chain_secret_file");
}

// Opens the store beside a running daemon: as a secondary instance (which follows the primary),
// falling back to read-only where the secondary's directory cannot be created.
Result<OpenedStore> open_store(const StoreCommandOptions& options, store::StoreAccess access) {
  OpenedStore opened;
  daemon::DaemonOptions daemon_options{options.config_path, options.state_dir};
  AW_ASSIGN_OR_RETURN(opened.config, daemon::load_daemon_config(daemon_options));
  opened.layout = daemon::StateLayout::from_config(opened.config);
  std::error_code error;
  if (!fs::exists(opened.layout.store / "CURRENT", error)) {
    // Never create a store here: a mistyped --state-dir must not start an empty one.
    return make_error(StatusCode::kNotFound,
                      "expected an evidence store at " + opened.layout.store.string() +
                          " [hint: pass the daemon's --state-dir or --config]");
  }
  store::StoreOptions store_options;
  AW_ASSIGN_OR_RETURN(store_options.chain_secret, chain_secret(opened.config));
  if (access == store::StoreAccess::kSecondary) {
    store_options.secondary_path = opened.layout.secondary / fmt::format("cli-{}", ::getpid());
    opened.secondary_dir = store_options.secondary_path;  // removed at close, whatever happens
    auto secondary = store::EvidenceStore::open(opened.layout.store, access, store_options);
    if (secondary) {
      opened.store = std::move(*secondary);
      return opened;
    }
    if (secondary.error().code() == StatusCode::kNotFound) return std::unexpected(secondary.error());
    access = store::StoreAccess::kReadOnly;
  }
  AW_ASSIGN_OR_RETURN(opened.store, store::EvidenceStore::open(opened.layout.store, access, store_options));
  return opened;
}


Json parse(const std::string& text) {
  Json json = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  return json.is_discarded() ? Json::object() : json;
}



std::string dump(const Json& json) { return json.dump(2, ' ', false, Json::error_handler_t::replace); }

// Sends `request` (with its request_id) to the running daemon through <state>/inbox/control/
// and waits for its answer. An answer with ok=false becomes kInvalidArgument with its message.
Result<Json> send_control_request(const StoreCommandOptions& options, Json request,
                                  uint64_t timeout_ms) {
  daemon::DaemonOptions daemon_options{options.config_path, options.state_dir};
  AW_ASSIGN_OR_RETURN(config::Config config, daemon::load_daemon_config(daemon_options));
  const daemon::StateLayout layout = daemon::StateLayout::from_config(config);
  const std::string request_id = request.value("request_id", "");
  const std::string action = request.value("action", "");
  const fs::path temp = layout.inbox_control / ("." + request_id + ".tmp");
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << request.dump(-1, ' ', false, Json::error_handler_t::replace);
    if (!out.flush()) {
      return make_error(StatusCode::kUnavailable, "cannot write to " + layout.inbox_control.string());
    }
  }
  std::error_code error;
  // Renamed into place, so the daemon only ever sees the whole request.
  fs::rename(temp, layout.inbox_control / (request_id + ".json"), error);
  const fs::path result_path = layout.inbox_control / (request_id + ".result.json");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (fs::exists(result_path, error)) {
      std::ifstream in(result_path, std::ios::binary);
      std::ostringstream text;
      text << in.rdbuf();
      in.close();
      fs::remove(result_path, error);
      Json result = parse(text.str());
      if (!result.value("ok", false)) {
        return make_error(StatusCode::kInvalidArgument,
                          action + ": " + result.value("message", std::string("refused")));
      }
      return result;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  fs::remove(layout.inbox_control / (request_id + ".json"), error);
  return make_error(StatusCode::kDeadlineExceeded, action + ": the daemon did not answer in time");
}

std::string new_request_id(std::string_view action) {
  std::random_device random;
  return fmt::format("{}-{}-{:08x}", action, ::getpid(), random());
}

int64_t now_unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A write to the store: done here when no daemon holds the store, otherwise asked of the running
// daemon as `request` through its control inbox. Returns the chain seq of the evidence written.
Result<uint64_t> write_or_ask_daemon(
    const StoreCommandOptions& options,
    const std::function<Result<store::AppendedRecord>(store::EvidenceStore&)>& write_here,
    Json request, uint64_t timeout_ms) {
  auto primary = open_store(options, store::StoreAccess::kPrimary);
  if (primary) {
    AW_ASSIGN_OR_RETURN(store::AppendedRecord appended, write_here(*primary->store));
    return appended.seq;
  }
  if (primary.error().code() != StatusCode::kUnavailable) return std::unexpected(primary.error());
  AW_ASSIGN_OR_RETURN(Json answer, send_control_request(options, std::move(request), timeout_ms));
  return answer.value("seq", uint64_t{0});
}

}  // namespace

int run_verify(const StoreCommandOptions& options) {
  auto opened = open_store(options, store::StoreAccess::kSecondary);
  if (!opened) {
    print_error(opened.error());
    return kExitError;
  }
  auto report = opened->store->verify();
  if (!report) {
    print_error(report.error());
    return kExitError;
  }
  if (options.format == OutputFormat::kJson) {
    Json out{{"intact", report->intact()},
             {"links_checked", report->links_checked},
             {"records_checked", report->records_checked},
             {"head_seq", report->head_seq},
             {"mode", report->mode}};
    if (report->first_problem) {
      const auto& p = *report->first_problem;
      out["first_problem"] = Json{{"kind", store::chain_problem_kind_name(p.kind)},
                                  {"seq", p.seq},
                                  {"evidence_kind", p.evidence_kind},
                                  {"column_family", p.column_family},
                                  {"key", safe_excerpt(p.key, 160)},
                                  {"detail", p.detail}};
    }
    std::printf("%s\n", dump(out).c_str());
  } else {
    std::printf("%s\n", report->to_string().c_str());
  }
  return report->intact() ? kExitClean : kExitFindings;
}

int run_alerts_list(const StoreCommandOptions& options, const AlertListOptions& list) {
  auto opened = open_store(options, store::StoreAccess::kSecondary);
  if (!opened) {
    print_error(opened.error());
    return kExitError;
  }
  daemon::AlertQuery query;
  query.status = list.status;
  query.min_priority = list.min_priority;
  query.limit = list.limit;
  auto page = daemon::query_alerts(*opened->store, query);
  if (!page) {
    print_error(page.error());
    return kExitError;
  }
  print_alert_items(page->items, options.format);
  return kExitClean;
}

int run_alerts_show(const StoreCommandOptions& options, const std::string& alert_id) {
  auto opened = open_store(options, store::StoreAccess::kSecondary);
  if (!opened) {
    print_error(opened.error());
    return kExitError;
  }
  auto alert = daemon::alert_detail(*opened->store, alert_id);
  if (!alert || !*alert) {
    print_error(!alert ? alert.error()
                       : Status(StatusCode::kNotFound, "no alert with id '" + safe_excerpt(alert_id, 40) + "'"));
    return kExitError;
  }
  std::printf("%s\n", dump(**alert).c_str());
  return kExitClean;
}

int run_alerts_ack(const StoreCommandOptions& options, const std::string& alert_id,
                   const std::string& by, const std::string& reason, uint64_t timeout_ms) {
  const std::string request_id = new_request_id("ack");
  auto seq = write_or_ask_daemon(
      options,
      [&](store::EvidenceStore& store) {
        return daemon::acknowledge_alert(store, alert_id, by, reason, request_id, now_unix_ms());
      },
      Json{{"request_id", request_id}, {"action", "ack"}, {"alert_id", alert_id}, {"by", by}, {"reason", reason}},
      timeout_ms);
  if (!seq) {
    print_error(seq.error());
    return kExitError;
  }
  std::printf("acknowledged %s (evidence seq %llu)\n", alert_id.c_str(), static_cast<unsigned long long>(*seq));
  return kExitClean;
}

int run_scans_list(const StoreCommandOptions& options, const ScanListOptions& list) {
  auto opened = open_store(options, store::StoreAccess::kSecondary);
  if (!opened) {
    print_error(opened.error());
    return kExitError;
  }
  daemon::ScanQuery query;
  query.state = list.state;
  query.limit = list.limit;
  auto page = daemon::query_scans(*opened->store, query);
  if (!page) {
    print_error(page.error());
    return kExitError;
  }
  print_scan_items(page->items, options.format);
  return kExitClean;
}

int run_scans_show(const StoreCommandOptions& options, uint64_t job_id, bool with_report) {
  auto opened = open_store(options, store::StoreAccess::kSecondary);
  if (!opened) {
    print_error(opened.error());
    return kExitError;
  }
  auto scan = daemon::scan_detail(*opened->store, job_id, with_report);
  if (!scan || !*scan) {
    print_error(!scan ? scan.error() : Status(StatusCode::kNotFound, fmt::format("no scan job {}", job_id)));
    return kExitError;
  }
  return print_scan_detail(**scan);
}

int run_token_create(const StoreCommandOptions& options, const std::string& name,
                     const std::string& role, uint64_t timeout_ms) {
  if (!daemon::is_api_token_name(name) || !daemon::is_api_role(role)) {
    print_error(Status(StatusCode::kInvalidArgument,
                       "token create: expected --name of letters, digits, '-', '_', '.' (1-64) and "
                       "--role pipeline, reviewer or admin"));
    return kExitError;
  }
  auto token = daemon::generate_api_token();
  auto hash = token ? daemon::api_token_sha256(*token) : Result<std::string>(std::unexpected(token.error()));
  if (!hash) {
    print_error(hash.error());
    return kExitError;
  }
  auto seq = write_or_ask_daemon(
      options,
      [&](store::EvidenceStore& store) {
        return store.add_api_token(store::ApiToken{*hash, name, role, now_unix_ms(), 0});
      },
      Json{{"request_id", new_request_id("token")},
           {"action", "token_create"},
           {"name", name},
           {"role", role},
           {"token_sha256", *hash}},
      timeout_ms);
  if (!seq) {
    print_error(seq.error());
    return kExitError;
  }
  // Shown once: the store keeps only its hash.
  std::printf("%s\n", token->c_str());
  std::fflush(stdout);
  std::fprintf(stderr, "token '%s' (%s) created; it is shown only now\n", name.c_str(), role.c_str());
  return kExitClean;
}

int run_token_list(const StoreCommandOptions& options) {
  auto opened = open_store(options, store::StoreAccess::kSecondary);
  if (!opened) {
    print_error(opened.error());
    return kExitError;
  }
  auto tokens = opened->store->list_api_tokens();
  if (!tokens) {
    print_error(tokens.error());
    return kExitError;
  }
  Json out = Json::array();
  for (const auto& token : *tokens) {
    out.push_back(Json{{"name", token.name},
                       {"role", token.role},
                       {"token_id", token.token_sha256.substr(0, 16)},
                       {"created_unix_ms", token.created_unix_ms},
                       {"revoked", token.revoked()}});
  }
  if (options.format == OutputFormat::kJson) {
    std::printf("%s\n", dump(out).c_str());
  } else {
    if (out.empty()) std::printf("no tokens\n");
    for (const Json& token : out) {
      std::printf("%-24s %-9s %s%s\n", token.value("name", "").c_str(), token.value("role", "").c_str(),
                  token.value("token_id", "").c_str(), token.value("revoked", false) ? "  revoked" : "");
    }
  }
  return kExitClean;
}

int run_token_revoke(const StoreCommandOptions& options, const std::string& name, uint64_t timeout_ms) {
  auto seq = write_or_ask_daemon(
      options,
      [&](store::EvidenceStore& store) { return store.revoke_api_token(name, now_unix_ms()); },
      Json{{"request_id", new_request_id("token")}, {"action", "token_revoke"}, {"name", name}},
      timeout_ms);
  if (!seq) {
    print_error(seq.error());
    return kExitError;
  }
  std::printf("revoked token '%s'\n", name.c_str());
  return kExitClean;
}

}  // namespace alignwatch::cli
