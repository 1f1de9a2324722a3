#include "cli/remote_commands.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/query_output.h"
#include "cli/scan_dataset_command.h"
#include "core/text.h"

namespace alignwatch::cli {

namespace {

using Json = nlohmann::ordered_json;
namespace fs = std::filesystem;

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

void print_error(const std::string& message) { std::fprintf(stderr, "alignwatch: %s\n", message.c_str()); }

std::string url_encode(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') out += static_cast<char>(c);
    else out += fmt::format("%{:02X}", c);
  }
  return out;
}

// Whether to draw progress: on a terminal, and not in CI (CI=true is set by every common runner).
bool interactive() { return ::isatty(STDERR_FILENO) == 1 && env("CI").empty(); }

Result<Json> reply_json(const Result<ApiReply>& reply, unsigned expected) {
  if (!reply) return std::unexpected(reply.error());
  if (reply->status != expected) {
    return make_error(reply->status == 404 ? StatusCode::kNotFound : StatusCode::kUnavailable,
                      describe_error_reply(*reply));
  }
  Json json = Json::parse(reply->body, nullptr, false);
  if (json.is_discarded()) return make_error(StatusCode::kCorruption, "the server's reply is not JSON");
  return json;
}

Result<std::unique_ptr<ApiClient>> client_for(const RemoteOptions& remote) {
  AW_ASSIGN_OR_RETURN(ApiClientOptions options, resolve_client_options(remote));
  return ApiClient::create(std::move(options));
}

}  // namespace

bool wants_server(const RemoteOptions& options) {
  return !options.server.empty() || !env("ALIGNWATCH_SERVER").empty();
}

Result<ApiClientOptions> resolve_client_options(const RemoteOptions& remote) {
  ApiClientOptions options;
  options.server = !remote.server.empty() ? remote.server : env("ALIGNWATCH_SERVER");
  options.ca_file = remote.ca_file;
  options.fingerprint = remote.fingerprint;
  options.client_certificate = remote.client_certificate;
  options.client_key = remote.client_key;
  options.timeout_ms = remote.timeout_ms;
  if (!remote.state_dir.empty()) {
    // A local daemon says where it listens and which certificate it serves.
    std::ifstream in(fs::path(remote.state_dir) / "api-endpoint.json");
    std::stringstream text;
    text << in.rdbuf();
    Json endpoint = Json::parse(text.str(), nullptr, false);
    if (!in || endpoint.is_discarded()) {
      return make_error(StatusCode::kNotFound, remote.state_dir + "/api-endpoint.json: not readable (is the daemon "
                                                                  "running with the API enabled?)");
    }
    if (options.server.empty()) options.server = endpoint.value("url", "");
    if (options.ca_file.empty() && options.fingerprint.empty()) options.fingerprint = endpoint.value("fingerprint_sha256", "");
  }
  if (options.server.empty()) {
    return make_error(StatusCode::kInvalidArgument, "no server: give --server URL or set ALIGNWATCH_SERVER");
  }
  if (!remote.token_file.empty()) {
    std::ifstream in(remote.token_file);
    if (!in) return make_error(StatusCode::kNotFound, "--token-file " + remote.token_file + ": not readable");
    std::getline(in, options.token);
  } else {
    options.token = env("ALIGNWATCH_TOKEN");
  }
  while (!options.token.empty() && std::isspace(static_cast<unsigned char>(options.token.back()))) options.token.pop_back();
  if (options.token.empty()) {
    return make_error(StatusCode::kInvalidArgument, "no token: set ALIGNWATCH_TOKEN or give --token-file");
  }
  return options;
}

int run_submit(const RemoteOptions& remote, const SubmitOptions& submit) {
  auto client = client_for(remote);
  if (!client) {
    print_error(client.error().to_string());
    return kExitError;
  }
  std::error_code error;
  const fs::path path(submit.path);
  const bool is_dir = fs::is_directory(path, error);
  if (!is_dir && !fs::is_regular_file(path, error)) {
    print_error(submit.path + ": not a file or directory");
    return kExitError;
  }
  std::string kind = submit.kind;
  if (kind.empty()) kind = is_dir || submit.path.ends_with(".tar") ? "adapter" : "dataset";
  std::string target = fmt::format("/v1/{}s?name={}", kind, url_encode(is_dir ? "adapter" : path.filename().string()));
  for (const auto& [key, value] : {std::pair<const char*, const std::string&>{"pipeline_id", submit.pipeline_id},
                                   {"submitter", submit.submitter},
                                   {"base_model", submit.base_model},
                                   {"dataset_sha256", submit.dataset_sha256}}) {
    if (!value.empty()) target += fmt::format("&{}={}", key, url_encode(value));
  }
  const bool draw = submit.progress && interactive();
  const auto started = std::chrono::steady_clock::now();
  auto progress = [&](uint64_t sent, uint64_t total) {
    if (!draw) return;
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const double percent = total ? 100.0 * static_cast<double>(sent) / static_cast<double>(total) : 100.0;
    const int filled = static_cast<int>(percent / 5);
    std::fprintf(stderr, "\rupload [%-20s] %5.1f%%  %.1f MB/s ", std::string(static_cast<size_t>(filled), '#').c_str(),
                 percent, seconds > 0 ? static_cast<double>(sent) / 1e6 / seconds : 0.0);
  };
  auto accepted = reply_json((*client)->upload(target, path, progress), 202);
  if (draw) std::fprintf(stderr, "\n");
  if (!accepted) {
    print_error("submit " + submit.path + ": " + accepted.error().message());
    return kExitError;
  }
  const uint64_t scan_id = accepted->value("scan_id", uint64_t{0});
  if (!submit.wait) {
    if (remote.format == OutputFormat::kJson) {
      std::printf("%s\n", accepted->dump(2).c_str());
    } else {
      std::printf("scan %llu %s (%s %s)\n", static_cast<unsigned long long>(scan_id),
                  accepted->value("duplicate", false) ? "exists already" : "queued", kind.c_str(),
                  accepted->value("artifact_sha256", "").c_str());
    }
    return kExitClean;
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(submit.wait_timeout_s);
  while (true) {
    auto reply = (*client)->request("GET", fmt::format("/v1/scans/{}?report=false", scan_id));
    if (reply && reply->status == 429) {
      std::this_thread::sleep_for(std::chrono::seconds(std::max(1, std::atoi(reply->retry_after.c_str()))));
      continue;
    }
    auto scan = reply_json(reply, 200);
    if (!scan) {
      print_error(fmt::format("scan {}: {}", scan_id, scan.error().message()));
      return kExitError;
    }
    const std::string state = scan->value("state", "");
    if (state == "done" || state == "failed" || state == "rejected") {
      if (draw) std::fprintf(stderr, "\n");
      if (remote.format == OutputFormat::kJson) {
        std::printf("%s\n", scan->dump(2).c_str());
      } else {
        const Json& verdict = (*scan)["verdict"];
        std::printf("scan %llu %s: %s\n", static_cast<unsigned long long>(scan_id), state.c_str(),
                    verdict.is_string() ? verdict.get<std::string>().c_str() : "no verdict");
        if (!scan->value("error", "").empty()) std::printf("error: %s\n", safe_excerpt(scan->value("error", ""), 300).c_str());
      }
      return verdict_exit_code(*scan);
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      if (draw) std::fprintf(stderr, "\n");
      print_error(fmt::format("scan {}: still {} after {} s (--timeout)", scan_id, state, submit.wait_timeout_s));
      return kExitError;
    }
    if (draw) {
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      std::fprintf(stderr, "\rwaiting for scan %llu: %-8s %5.0f s ", static_cast<unsigned long long>(scan_id),
                   state.c_str(), seconds);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(submit.poll_ms));
  }
}

int run_remote_alerts_list(const RemoteOptions& remote, const AlertListOptions& list) {
  auto client = client_for(remote);
  if (!client) {
    print_error(client.error().to_string());
    return kExitError;
  }
  auto page = reply_json((*client)->request("GET", fmt::format("/v1/alerts?status={}&priority={}&limit={}",
                                                                url_encode(list.status), url_encode(list.min_priority),
                                                                list.limit)),
                         200);
  if (!page) {
    print_error(page.error().message());
    return kExitError;
  }
  print_alert_items((*page)["items"], remote.format);
  return kExitClean;
}

int run_remote_alerts_show(const RemoteOptions& remote, const std::string& alert_id) {
  auto client = client_for(remote);
  if (!client) {
    print_error(client.error().to_string());
    return kExitError;
  }
  auto alert = reply_json((*client)->request("GET", "/v1/alerts/" + url_encode(alert_id)), 200);
  if (!alert) {
    print_error(alert.error().message());
    return kExitError;
  }
  std::printf("%s\n", alert->dump(2).c_str());
  return kExitClean;
}

int run_remote_alerts_ack(const RemoteOptions& remote, const std::string& alert_id, const std::string& reason) {
  auto client = client_for(remote);
  if (!client) {
    print_error(client.error().to_string());
    return kExitError;
  }
  auto acked = reply_json((*client)->request("POST", "/v1/alerts/" + url_encode(alert_id) + "/ack",
                                             Json{{"reason", reason}}.dump()),
                          200);
  if (!acked) {
    print_error(acked.error().message());
    return kExitError;
  }
  std::printf("acknowledged %s (evidence seq %llu)\n", alert_id.c_str(),
              static_cast<unsigned long long>(acked->value("seq", uint64_t{0})));
  return kExitClean;
}

int run_remote_scans_list(const RemoteOptions& remote, const ScanListOptions& list) {
  auto client = client_for(remote);
  if (!client) {
    print_error(client.error().to_string());
    return kExitError;
  }
  auto page = reply_json(
      (*client)->request("GET", fmt::format("/v1/scans?state={}&limit={}", url_encode(list.state), list.limit)), 200);
  if (!page) {
    print_error(page.error().message());
    return kExitError;
  }
  print_scan_items((*page)["items"], remote.format);
  return kExitClean;
}

int run_remote_scans_show(const RemoteOptions& remote, uint64_t scan_id, bool with_report) {
  auto client = client_for(remote);
  if (!client) {
    print_error(client.error().to_string());
    return kExitError;
  }
  auto scan = reply_json(
      (*client)->request("GET", fmt::format("/v1/scans/{}?report={}", scan_id, with_report ? "true" : "false")), 200);
  if (!scan) {
    print_error(scan.error().message());
    return kExitError;
  }
  return print_scan_detail(*scan);
}

}  // namespace alignwatch::cli
