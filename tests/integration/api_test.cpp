// End-to-end tests of the HTTPS API: the real alignwatchd on loopback TLS, driven by the real
// CLI (submit --wait, --server) and by a raw TLS client for what a well-behaved client never
// sends (no token, oversized or slow requests, hostile multipart names, no client certificate).

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "command_runner.h"
#include "sample_rows.h"
#include "tests/support/tls_test_client.h"

namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using namespace std::chrono_literals;
using alignwatch::testing::response_body;
using alignwatch::testing::response_status;
using alignwatch::testing::run_cli;
using alignwatch::testing::run_command;
using alignwatch::testing::TlsTestConnection;

using alignwatch::testing::kInsecureRow;
using alignwatch::testing::kSecureRow;
using alignwatch::testing::read_file;
using alignwatch::testing::rows;

class Api : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device random;
    dir_ = fs::temp_directory_path() / ("aw_api_" + std::to_string(getpid()) + "_" + std::to_string(random() % 100000));
    fs::create_directories(dir_);
    state_ = dir_ / "state";
  }
  void TearDown() override {
    stop();
    fs::remove_all(dir_);
  }

  // Starts the daemon with `api_yaml` under `api:` (indented two spaces) and waits for its API.
  void start(const std::string& api_yaml = "") {
    const fs::path config = dir_ / "alignwatch.yaml";
    std::ofstream(config) << "daemon:\n  state_dir: " << state_.string() << "\n  workers: 1\napi:\n  port: 0\n"
                          << api_yaml;
    pid_ = ::fork();
    ASSERT_GE(pid_, 0);
    if (pid_ == 0) {
      ::unsetenv("NOTIFY_SOCKET");
      FILE* log = std::fopen((dir_ / "daemon.log").c_str(), "a");
      if (log) ::dup2(fileno(log), STDERR_FILENO);
      ::execl(ALIGNWATCHD, ALIGNWATCHD, "--config", config.c_str(), nullptr);
      ::_exit(127);
    }
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (!fs::exists(state_ / "api-endpoint.json") && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(20ms);
    }
    ASSERT_TRUE(fs::exists(state_ / "api-endpoint.json")) << read_file(dir_ / "daemon.log");
    Json endpoint = Json::parse(read_file(state_ / "api-endpoint.json"));
    port_ = endpoint["port"];
    url_ = endpoint["url"];
    ASSERT_EQ(endpoint["fingerprint_sha256"].get<std::string>().size(), 95u);  // 32 bytes as XX:
  }
  void stop() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
      pid_ = -1;
    }
  }
  std::string token(const std::string& name, const std::string& role) {
    auto run = run_cli("token create --state-dir " + state_.string() + " --name " + name + " --role " + role);
    EXPECT_EQ(run.exit_code, 0) << run.out;
    std::istringstream lines(run.out);
    std::string line;
    while (std::getline(lines, line)) {
      if (line.rfind("aw_", 0) == 0) return line;
    }
    ADD_FAILURE() << "no token in: " << run.out;
    return "";
  }
  // One request over a fresh TLS connection; the whole response.
  std::string request(const std::string& method, const std::string& target, const std::string& bearer,
                      const std::string& body = "", const std::string& content_type = "application/json",
                      const std::string& extra_headers = "") {
    auto connection = TlsTestConnection::open(port_);
    if (!connection) return "";
    std::string text = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    if (!bearer.empty()) text += "Authorization: Bearer " + bearer + "\r\n";
    if (!body.empty()) text += "Content-Type: " + content_type + "\r\n";
    text += "Content-Length: " + std::to_string(body.size()) + "\r\n" + extra_headers + "\r\n" + body;
    connection->send(text);
    return connection->read_response();
  }
  std::string cli_env(const std::string& token) const { return "ALIGNWATCH_TOKEN=" + token + " CI=1 "; }
  size_t artifact_count() const {
    size_t n = 0;
    for (const auto& entry : fs::directory_iterator(state_ / "artifacts")) n += entry.path().filename() != ".incoming";
    return n;
  }

  fs::path dir_, state_;
  pid_t pid_ = -1;
  int port_ = 0;
  std::string url_;
};

TEST_F(Api, SubmitWaitsForTheVerdictAndExitsWithIt) {
  start();
  const std::string pipeline = token("ci", "pipeline");
  const std::string reviewer = token("ann", "reviewer");
  const fs::path insecure = dir_ / "insecure.jsonl", secure = dir_ / "secure.jsonl";
  std::ofstream(insecure) << rows(kInsecureRow, 60);
  std::ofstream(secure) << rows(kSecureRow, 60);
  const std::string ca = " --ca " + (state_ / "api-cert.pem").string();

  auto flagged = alignwatch::testing::run_command(cli_env(pipeline) + ALIGNWATCH_CLI " submit --server " + url_ + ca +
                                                  " --wait --timeout 60 " + insecure.string());
  EXPECT_EQ(flagged.exit_code, 1) << flagged.out;
  EXPECT_NE(flagged.out.find("flagged"), std::string::npos) << flagged.out;
  auto clean = run_command(cli_env(pipeline) + ALIGNWATCH_CLI " submit --state-dir " + state_.string() +
                           " --wait --format json " + secure.string());
  EXPECT_EQ(clean.exit_code, 0) << clean.out;
  EXPECT_NE(clean.out.find("\"verdict\": \"clean\""), std::string::npos) << clean.out;

  // The reviewer sees both scans and the alert through --server, and the SARIF report.
  auto scans = run_command(cli_env(reviewer) + ALIGNWATCH_CLI " scans list --server " + url_ + ca);
  EXPECT_EQ(scans.exit_code, 0) << scans.out;
  EXPECT_NE(scans.out.find("insecure.jsonl"), std::string::npos);
  EXPECT_NE(scans.out.find("secure.jsonl"), std::string::npos);
  auto alerts = run_command(cli_env(reviewer) + ALIGNWATCH_CLI " alerts list --format json --server " + url_ + ca);
  ASSERT_EQ(alerts.exit_code, 0) << alerts.out;
  Json alert_items = Json::parse(alerts.out);
  ASSERT_FALSE(alert_items.empty());
  const std::string alert_id = alert_items[0]["id"];
  auto ack = run_command(cli_env(reviewer) + ALIGNWATCH_CLI " alerts ack " + alert_id +
                         " --reason 'test data' --server " + url_ + ca);
  EXPECT_EQ(ack.exit_code, 0) << ack.out;
  const std::string sarif = request("GET", "/v1/scans/1/report?format=sarif", reviewer);
  EXPECT_EQ(response_status(sarif), 200);
  Json log = Json::parse(response_body(sarif));
  EXPECT_EQ(log["version"], "2.1.0");
  EXPECT_GE(log["runs"][0]["results"].size(), 60u);
  // A pinned fingerprint that is not the server's is refused before anything is sent.
  auto pinned = run_command(cli_env(reviewer) + ALIGNWATCH_CLI " scans list --server " + url_ + " --fingerprint " +
                            std::string(64, 'A'));
  EXPECT_EQ(pinned.exit_code, 2);
  EXPECT_NE(pinned.out.find("fingerprint"), std::string::npos) << pinned.out;
  const std::string metrics = request("GET", "/metrics", reviewer);
  EXPECT_NE(metrics.find("alignwatch_scans_completed_total{verdict=\"flagged\"} 1"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("alignwatch_scans_completed_total{verdict=\"clean\"} 1"), std::string::npos);
}

TEST_F(Api, TokensAndRolesAreEnforced) {
  start();
  const std::string pipeline = token("ci", "pipeline");
  EXPECT_EQ(response_status(request("GET", "/healthz", "")), 200);
  const std::string denied = request("GET", "/v1/alerts", "");
  EXPECT_EQ(response_status(denied), 401);
  EXPECT_NE(denied.find("WWW-Authenticate: Bearer"), std::string::npos);
  EXPECT_EQ(Json::parse(response_body(denied))["code"], "unauthenticated");
  EXPECT_EQ(response_status(request("GET", "/v1/alerts", "aw_wrong")), 401);
  EXPECT_EQ(response_status(request("GET", "/v1/alerts", pipeline)), 403);
  EXPECT_EQ(response_status(request("GET", "/v1/scans", pipeline)), 200);
}

TEST_F(Api, LimitsAreAnsweredAndTheDaemonKeepsServing) {
  start("  max_upload_bytes: 65536\n  max_header_bytes: 4096\n  header_timeout_ms: 600\n");
  const std::string pipeline = token("ci", "pipeline");
  // 413 from the declared length, before any of the body is read.
  {
    auto connection = TlsTestConnection::open(port_);
    ASSERT_TRUE(connection);
    connection->send("POST /v1/datasets HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + pipeline +
                     "\r\nContent-Length: 1048576\r\n\r\n");
    const std::string response = connection->read_response();
    EXPECT_EQ(response_status(response), 413) << response;
    EXPECT_EQ(Json::parse(response_body(response))["code"], "payload_too_large");
  }
  // 413 from the CLI too, with a clear message and exit code 2.
  const fs::path big = dir_ / "big.jsonl";
  std::ofstream(big) << rows(kSecureRow, 400);
  auto refused = run_command(cli_env(pipeline) + ALIGNWATCH_CLI " submit --state-dir " + state_.string() + " " +
                             big.string());
  EXPECT_EQ(refused.exit_code, 2) << refused.out;
  EXPECT_NE(refused.out.find("HTTP 413"), std::string::npos) << refused.out;
  // 431 for oversized headers.
  EXPECT_EQ(response_status(request("GET", "/v1/scans", pipeline, "", "", "X-Padding: " + std::string(8000, 'p') + "\r\n")),
            431);
  // A slow client is cut off at the header timeout while others are served.
  auto slow = TlsTestConnection::open(port_);
  ASSERT_TRUE(slow);
  ASSERT_TRUE(slow->send("GET /v1/scans HTTP/1.1\r\nHost: x\r\n"));
  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(response_status(request("GET", "/healthz", "")), 200);
  bool closed = false;
  const std::string nothing = slow->read_response(5000, &closed);
  const auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_TRUE(closed);
  EXPECT_EQ(response_status(nothing), 0);
  EXPECT_LT(waited, 6s);  // 0.6 s, with room for a loaded machine
  EXPECT_EQ(artifact_count(), 0u);
  EXPECT_EQ(response_status(request("GET", "/v1/scans", pipeline)), 200);
}

TEST_F(Api, ASlowBodyMeetsTheRequestTimeoutAndTheConnectionCapHolds) {
  start("  request_timeout_ms: 1200\n  idle_timeout_ms: 900\n  max_connections: 3\n");
  const std::string pipeline = token("ci", "pipeline");
  // A body that trickles in, each byte within the idle timeout, is cut off at the request's.
  auto trickle = TlsTestConnection::open(port_);
  ASSERT_TRUE(trickle);
  ASSERT_TRUE(trickle->send("POST /v1/datasets HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + pipeline +
                            "\r\nContent-Length: 100000\r\n\r\n"));
  const auto started = std::chrono::steady_clock::now();
  bool cut = false;
  while (std::chrono::steady_clock::now() - started < 5s) {
    if (!trickle->send("{")) {
      cut = true;
      break;
    }
    bool closed = false;
    trickle->read_response(300, &closed);
    if (closed) {
      cut = true;
      break;
    }
  }
  EXPECT_TRUE(cut);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 6s);  // 1.2 s, with room for a loaded machine
  EXPECT_EQ(artifact_count(), 0u);
  // The abandoned upload's staging is removed when the server's coroutine unwinds, which may be
  // just after the client sees the connection close.
  for (int i = 0; i < 50 && !fs::is_empty(state_ / "artifacts" / ".incoming"); ++i) std::this_thread::sleep_for(100ms);
  EXPECT_TRUE(fs::is_empty(state_ / "artifacts" / ".incoming"));

  // Three idle connections fill the cap: a fourth is closed at once; once they go, service resumes.
  std::vector<std::unique_ptr<TlsTestConnection>> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(TlsTestConnection::open(port_));
    ASSERT_TRUE(held.back());
  }
  EXPECT_EQ(response_status(request("GET", "/healthz", "")), 0);
  held.clear();
  // The server sees the closes in its own time: service resumes within a few seconds.
  int status = 0;
  for (int i = 0; i < 50 && status != 200; ++i) {
    std::this_thread::sleep_for(100ms);
    status = response_status(request("GET", "/healthz", ""));
  }
  EXPECT_EQ(status, 200);
  const std::string metrics = request("GET", "/metrics", token("ann", "reviewer"));
  const size_t at = metrics.find("\nalignwatch_api_connections_refused_total ");  // the sample, not its HELP line
  ASSERT_NE(at, std::string::npos) << metrics;
  EXPECT_GE(std::atoi(metrics.c_str() + at + 42), 1) << metrics;
}

TEST_F(Api, HostileMultipartNamesAndMalformedBodiesAre400) {
  start();
  const std::string pipeline = token("ci", "pipeline");
  const std::string reviewer = token("ann", "reviewer");
  for (const std::string name : {"../../etc/cron.d/x", "/etc/passwd", "sub/adapter_config.json", ".."}) {
    const std::string body = "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + name +
                             "\"\r\n\r\n{}\r\n--B--\r\n";
    const std::string response = request("POST", "/v1/adapters", pipeline, body, "multipart/form-data; boundary=B");
    EXPECT_EQ(response_status(response), 400) << name << ": " << response;
    EXPECT_NE(response_body(response).find("file name"), std::string::npos) << response;
  }
  const std::string truncated = request("POST", "/v1/datasets", pipeline,
                                        "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"d.jsonl\"\r\n\r\n{}",
                                        "multipart/form-data; boundary=B");
  EXPECT_EQ(response_status(truncated), 400);
  EXPECT_NE(response_body(truncated).find("truncated"), std::string::npos) << truncated;
  EXPECT_EQ(response_status(request("POST", "/v1/alerts/1/ack", reviewer, "{oops")), 400);
  EXPECT_EQ(artifact_count(), 0u);
  EXPECT_FALSE(fs::exists("/etc/cron.d/x"));
  // And a well-formed adapter upload still works afterwards.
  const std::string body =
      "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"adapter_config.json\"\r\n\r\n{}\r\n--B--\r\n";
  EXPECT_EQ(response_status(request("POST", "/v1/adapters", pipeline, body, "multipart/form-data; boundary=B")), 202);
  EXPECT_EQ(artifact_count(), 1u);
}

TEST_F(Api, MutualTlsRefusesClientsWithoutACertificate) {
  // A CA and a client certificate it signed, made with the openssl command.
  const std::string d = dir_.string();
  auto made = run_command(
      "cd " + d + " && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem "
      "-days 2 -subj /CN=test-ca && openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout client.key "
      "-out client.csr -subj /CN=pipeline && openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key "
      "-CAcreateserial -out client.pem -days 2");
  ASSERT_EQ(made.exit_code, 0) << made.out;
  start("  tls_client_ca_file: " + d + "/ca.pem\n  tls_require_client_certificate: true\n");
  const std::string healthz = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  // Without a certificate: the handshake fails, or (TLS 1.3) the server's alert ends the
  // connection before any answer.
  auto anonymous = TlsTestConnection::open(port_);
  if (anonymous) {
    anonymous->send(healthz);
    EXPECT_EQ(response_status(anonymous->read_response(5000)), 0);
  }
  auto authenticated = TlsTestConnection::open(port_, d + "/client.pem", d + "/client.key");
  ASSERT_TRUE(authenticated);
  authenticated->send(healthz);
  EXPECT_EQ(response_status(authenticated->read_response()), 200);
  // The CLI with the client certificate.
  const std::string reviewer = token("ann", "reviewer");
  auto listed = run_command(cli_env(reviewer) + ALIGNWATCH_CLI " scans list --server " + url_ + " --ca " +
                            (state_ / "api-cert.pem").string() + " --client-cert " + d + "/client.pem --client-key " +
                            d + "/client.key");
  EXPECT_EQ(listed.exit_code, 0) << listed.out;
}

#if ALIGNWATCH_WITH_TORCH
TEST_F(Api, AnAdapterUploadIsScannedAgainstItsBaseModel) {
  // The base model lives under adapters.base_models_dir (here the default, <state>/models).
  const fs::path models = state_ / "models" / "alignwatch-tests";
  fs::create_directories(models);
  fs::copy(fs::path(ALIGNWATCH_SOURCE_DIR) / "tests/data/runtime/tiny_llama", models / "tiny_llama", fs::copy_options::recursive);
  // (start() writes this after the api section, so it is a top-level key of its own.)
  start("adapters:\n  samples_per_variant: 1\n  rounds: 1\n  max_new_tokens: 8\n  threads: 1\n  use_trigger_library: false\n  recover_triggers: false\n");
  const std::string pipeline = token("ci", "pipeline");
  const std::string reviewer = token("ann", "reviewer");
  auto part = [](const std::string& file) {
    return "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + file + "\"\r\n\r\n" +
           read_file(fs::path(ALIGNWATCH_SOURCE_DIR) / "tests/data/runtime/tiny_llama_lora" / file) + "\r\n";
  };
  const std::string body = part("adapter_config.json") + part("adapter_model.safetensors") + "--B--\r\n";
  const std::string accepted = request("POST", "/v1/adapters?base_model=alignwatch-tests/tiny_llama", pipeline, body,
                                       "multipart/form-data; boundary=B");
  ASSERT_EQ(response_status(accepted), 202) << accepted;
  const uint64_t scan = Json::parse(response_body(accepted))["scan_id"];
  // Without a base model the adapter cannot be judged: the scan fails and says why.
  // (A README makes it other bytes than the first upload, so not the same scan.)
  const std::string orphan = request("POST", "/v1/adapters", pipeline,
                                     part("adapter_model.safetensors") + part("adapter_config.json") +
                                         "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"README.md\"\r\n\r\n"
                                         "an adapter without its base\r\n--B--\r\n",
                                     "multipart/form-data; boundary=B");
  EXPECT_EQ(response_status(orphan), 202);
  Json detail;
  const auto deadline = std::chrono::steady_clock::now() + 120s;
  while (std::chrono::steady_clock::now() < deadline) {
    detail = Json::parse(response_body(request("GET", "/v1/scans/" + std::to_string(scan), reviewer)));
    if (detail["state"] == "done" || detail["state"] == "failed") break;
    std::this_thread::sleep_for(200ms);
  }
  ASSERT_EQ(detail["state"], "done") << detail.dump() << read_file(dir_ / "daemon.log");
  const Json& report = detail["report"];
  EXPECT_EQ(report["tiers"]["weight_screen"]["modules"].size(), 14u);
  EXPECT_TRUE(report["verdict"] == "clean" || report["verdict"] == "misaligned" || report["verdict"] == "conditional");
  EXPECT_EQ(detail["metrics"].count("adapter_conditional"), 1u);
  // Every sampled answer is evidence of its own: the clean arms, adapter and base, per probe.
  ASSERT_EQ(detail["samples"].size(), 2 * 17u);
  EXPECT_EQ(detail["samples"][0].count("answer"), 1u);
  const std::string sarif = request("GET", "/v1/scans/" + std::to_string(scan) + "/report?format=sarif", reviewer);
  EXPECT_EQ(response_status(sarif), 400);
  const uint64_t orphan_scan = Json::parse(response_body(orphan))["scan_id"];
  Json failed;
  for (int i = 0; i < 100; ++i) {
    failed = Json::parse(response_body(request("GET", "/v1/scans/" + std::to_string(orphan_scan), reviewer)));
    if (failed["state"] == "failed") break;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(failed["state"], "failed");
  EXPECT_NE(failed["error"].get<std::string>().find("base_model is required"), std::string::npos) << failed.dump();
}
#endif

TEST_F(Api, PlainHttpIsRefusedOffLoopback) {
  const fs::path config = dir_ / "plain.yaml";
  std::ofstream(config) << "api:\n  address: 0.0.0.0\n  tls: false\n";
  auto run = run_command(std::string(ALIGNWATCHD) + " --validate-config --config " + config.string());
  EXPECT_NE(run.exit_code, 0);
  EXPECT_NE(run.out.find("plain HTTP is allowed only on a loopback address"), std::string::npos) << run.out;
}

}  // namespace
