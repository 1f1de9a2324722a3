// End-to-end tests of alignwatchd: the real daemon on a temporary state directory, with a fake
// NOTIFY_SOCKET standing in for systemd, fed through its inbox, read back through the CLI and the
// store, stopped by signals and killed with SIGKILL in the middle of a scan.

#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <rocksdb/write_batch.h>

#include "store/evidence_store.h"
#include "store/rocks_db.h"
#include "store/store_schema.h"

#include "command_runner.h"
#include "sample_rows.h"
#include "daemon/webhook_sender.h"
#include "tests/support/fake_webhook.h"

namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using namespace std::chrono_literals;

using alignwatch::testing::kInsecureRow;
using alignwatch::testing::kSecureRow;
using alignwatch::testing::read_file;
using alignwatch::testing::rows;

bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout = 20s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return done();
}

using CliRun = alignwatch::testing::CommandRun;
using alignwatch::testing::run_cli;

class Daemon : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device random;
    dir_ = fs::temp_directory_path() /
           ("aw_daemon_" + std::to_string(getpid()) + "_" + std::to_string(random() % 100000) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    state_ = dir_ / "state";
    notify_path_ = dir_ / "notify.sock";
    notify_fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", notify_path_.c_str());
    ASSERT_EQ(::bind(notify_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    // Like systemd, read every message as it comes: a full socket would block the daemon's
    // sd_notify.
    reader_ = std::thread([this] {
      char buf[4096];
      while (!reader_stop_) {
        ssize_t n = ::recv(notify_fd_, buf, sizeof(buf), 0);
        if (n > 0) {
          std::lock_guard lock(messages_mutex_);
          messages_.emplace_back(buf, static_cast<size_t>(n));
        } else {
          std::this_thread::sleep_for(5ms);
        }
      }
    });
  }
  void TearDown() override {
    reader_stop_ = true;
    if (reader_.joinable()) reader_.join();
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    ::close(notify_fd_);
    fs::remove_all(dir_);
  }

  void start(const std::string& config_path = "") {
    {
      std::lock_guard lock(messages_mutex_);
      messages_.clear();
      consumed_ = 0;
    }
    pid_ = ::fork();
    ASSERT_GE(pid_, 0);
    if (pid_ == 0) {
      ::setenv("NOTIFY_SOCKET", notify_path_.c_str(), 1);
      ::setenv("WATCHDOG_USEC", "2000000", 1);
      ::setenv("WATCHDOG_PID", std::to_string(::getpid()).c_str(), 1);
      FILE* log = std::fopen((dir_ / "daemon.log").c_str(), "a");
      if (log) ::dup2(fileno(log), STDERR_FILENO);
      // Any free port: tests run side by side.
      std::vector<std::string> args = {ALIGNWATCHD, "--state-dir", state_.string(), "--api-port", "0"};
      if (!config_path.empty()) {
        args.push_back("--config");
        args.push_back(config_path);
      }
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ASSERT_TRUE(wait_for_message("READY=1")) << log();
  }

  // Collects notify messages; true once one containing `text` arrived after the last call.
  bool wait_for_message(const std::string& text, std::chrono::milliseconds timeout = 20s) {
    return wait_until(
        [&] {
          std::lock_guard lock(messages_mutex_);
          for (size_t i = consumed_; i < messages_.size(); ++i) {
            if (messages_[i].find(text) != std::string::npos) {
              consumed_ = i + 1;
              return true;
            }
          }
          return false;
        },
        timeout);
  }

  int stop(int sig = SIGTERM) {
    ::kill(pid_, sig);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  // Writes a dataset the way pipelines should: to a hidden name, then renamed into place.
  void drop(const std::string& name, const std::string& content, const std::string& inbox = "datasets") {
    const fs::path dir = state_ / "inbox" / inbox;
    std::ofstream(dir / ("." + name + ".part"), std::ios::binary) << content;
    fs::rename(dir / ("." + name + ".part"), dir / name);
  }

  Json cli_json(const std::string& args) {
    CliRun r = run_cli(args + " --state-dir " + state_.string() + " --format json");
    Json json = Json::parse(r.out, nullptr, false);
    return json.is_discarded() ? Json() : json;
  }

  std::vector<Json> alerts_in_jsonl() {
    std::vector<Json> alerts;
    std::istringstream lines(read_file(state_ / "alerts.jsonl"));
    for (std::string line; std::getline(lines, line);) {
      Json json = Json::parse(line, nullptr, false);
      if (!json.is_discarded()) alerts.push_back(json);
    }
    return alerts;
  }

  bool has_alert(const std::string& rule) {
    for (const Json& alert : alerts_in_jsonl()) {
      if (alert.value("rule", "") == rule) return true;
    }
    return false;
  }

  std::string log() const { return read_file(dir_ / "daemon.log"); }

  // Opens the store beside the running daemon (or after it stopped).
  std::unique_ptr<alignwatch::store::EvidenceStore> open_store() {
    alignwatch::store::StoreOptions options;
    options.secondary_path = dir_ / ("secondary-" + std::to_string(++secondaries_));
    auto store = alignwatch::store::EvidenceStore::open(
        state_ / "store", alignwatch::store::StoreAccess::kSecondary, options);
    EXPECT_TRUE(store.has_value()) << store.error().to_string();
    return store ? std::move(*store) : nullptr;
  }

  size_t count(alignwatch::store::EvidenceKind kind, const std::string& prefix = "") {
    auto store = open_store();
    size_t n = 0;
    std::string after;
    while (true) {
      auto page = store->list(kind, prefix, after, 1000);
      if (!page) return 0;
      n += page->records.size();
      if (page->next_after.empty()) break;
      after = page->next_after;
    }
    return n;
  }

  fs::path dir_, state_, notify_path_;
  int notify_fd_ = -1;
  pid_t pid_ = -1;
  std::thread reader_;
  std::atomic<bool> reader_stop_{false};
  std::mutex messages_mutex_;
  std::vector<std::string> messages_;  // guarded by messages_mutex_
  size_t consumed_ = 0;                // guarded by messages_mutex_
  int secondaries_ = 0;
};

TEST_F(Daemon, ADroppedDatasetIsScannedAndRaisesAnAlert) {
  start();
  drop("poisoned.jsonl", rows(kInsecureRow, 40));
  ASSERT_TRUE(wait_until([&] { return has_alert("poisoning.undisclosed-insecure-code"); })) << log();
  Json alert;
  for (const Json& a : alerts_in_jsonl()) {
    if (a.value("rule", "") == "poisoning.undisclosed-insecure-code") alert = a;
  }
  EXPECT_EQ(alert["priority"], "critical");
  EXPECT_EQ(alert["name"], "poisoned.jsonl");
  EXPECT_NE(alert["tags"].dump().find("cwe:CWE-89"), std::string::npos) << alert.dump();
  EXPECT_NE(alert["tags"].dump().find("owasp-llm:LLM04"), std::string::npos);

  Json scans = cli_json("scans list");
  ASSERT_EQ(scans.size(), 1u) << scans.dump();
  EXPECT_EQ(scans[0]["state"], "done");
  EXPECT_EQ(scans[0]["verdict"], "flagged");
  EXPECT_FALSE(fs::exists(state_ / "inbox" / "datasets" / "poisoned.jsonl"));
  EXPECT_TRUE(fs::exists(state_ / "artifacts" / scans[0]["artifact_sha256"].get<std::string>()));
  // The report comes back whole: its records are stored apart and put back on reading.
  Json shown_scan = cli_json("scans show 1 --report");
  ASSERT_TRUE(shown_scan.contains("report")) << shown_scan.dump();
  const Json& file = shown_scan["report"]["files"][0];
  EXPECT_EQ(file["records"].size(), 40u);
  EXPECT_EQ(file["records"][0]["findings"][0]["cwe"], 89);
  EXPECT_EQ(file["summary"]["records_with_undisclosed_insecure_code"], 40) << file["summary"].dump();
  EXPECT_EQ(file["path"], "poisoned.jsonl");

  // The same alert is in the store, and open until acknowledged through the running daemon.
  Json open_alerts = cli_json("alerts list");
  ASSERT_EQ(open_alerts.size(), 1u) << open_alerts.dump();
  const std::string id = open_alerts[0]["id"];
  CliRun ack = run_cli("alerts ack " + id + " --by alice --reason 'test data' --state-dir " + state_.string());
  EXPECT_EQ(ack.exit_code, 0) << ack.out;
  EXPECT_EQ(cli_json("alerts list").size(), 0u);
  Json shown = cli_json("alerts show " + id);
  EXPECT_EQ(shown["status"], "acked");
  EXPECT_EQ(shown["acknowledgements"][0]["by"], "alice");

  // A clean dataset raises nothing.
  drop("clean.jsonl", rows(kSecureRow, 40));
  ASSERT_TRUE(wait_until([&] { return cli_json("scans list --state done").size() == 2; })) << log();
  Json clean = cli_json("scans show 2");
  EXPECT_EQ(clean["verdict"], "clean");
  EXPECT_EQ(alerts_in_jsonl().size(), 1u);
  EXPECT_EQ(stop(), 0);
}

TEST_F(Daemon, TheSameBytesUnderAnotherNameAreScannedOnce) {
  start();
  const std::string content = rows(kInsecureRow, 30);
  drop("first.jsonl", content);
  ASSERT_TRUE(wait_until([&] { return cli_json("scans list --state done").size() == 1; })) << log();
  std::ofstream(state_ / "inbox" / "datasets" / "second.jsonl.manifest.json")
      << R"({"pipeline_id": "ci-42", "submitter": "bob"})";
  drop("second.jsonl", content);
  ASSERT_TRUE(wait_until([&] { return !fs::exists(state_ / "inbox" / "datasets" / "second.jsonl"); }));
  ASSERT_TRUE(wait_until([&] { return count(alignwatch::store::EvidenceKind::kSubmission) == 2; }));
  EXPECT_EQ(cli_json("scans list").size(), 1u);
  EXPECT_EQ(count(alignwatch::store::EvidenceKind::kReport), 1u);
  auto store = open_store();
  auto page = store->list(alignwatch::store::EvidenceKind::kSubmission, "", "", 10);
  ASSERT_EQ(page->records.size(), 2u);
  Json second = Json::parse(page->records[1].value_json);
  EXPECT_EQ(second["duplicate"], true);
  EXPECT_EQ(second["job_id"], 1);
  EXPECT_EQ(second["manifest"]["pipeline_id"], "ci-42");
  EXPECT_FALSE(fs::exists(state_ / "inbox" / "datasets" / "second.jsonl.manifest.json"));
  EXPECT_EQ(stop(), 0);
}

TEST_F(Daemon, HostileEntriesAreRefusedWithoutTouchingAnythingOutside) {
  start();
  const fs::path outside = dir_ / "outside-secret.txt";
  std::ofstream(outside) << "do not read me";
  const fs::path inbox = state_ / "inbox" / "datasets";
  fs::create_symlink(outside, inbox / "link.jsonl");
  ::mkfifo((inbox / "pipe.jsonl").c_str(), 0600);
  fs::create_hard_link(outside, inbox / "hardlink.jsonl");
  std::ofstream(inbox / ".hidden-upload") << "in progress";
  ASSERT_TRUE(wait_until([&] { return count(alignwatch::store::EvidenceKind::kRejection) == 3; })) << log();
  EXPECT_EQ(read_file(outside), "do not read me");
  EXPECT_FALSE(fs::exists(fs::symlink_status(inbox / "link.jsonl")));
  EXPECT_FALSE(fs::exists(inbox / "pipe.jsonl"));
  EXPECT_TRUE(fs::exists(inbox / ".hidden-upload"));  // uploads in progress are left alone
  EXPECT_TRUE(fs::exists(outside));
  ASSERT_TRUE(wait_until([&] { return has_alert("intake.rejected"); }));
  auto store = open_store();
  auto page = store->list(alignwatch::store::EvidenceKind::kRejection, "", "", 10);
  std::string reasons;
  for (const auto& record : page->records) reasons += Json::parse(record.value_json)["reason"].get<std::string>() + ";";
  EXPECT_NE(reasons.find("symbolic link"), std::string::npos) << reasons;
  EXPECT_NE(reasons.find("FIFO"), std::string::npos) << reasons;
  EXPECT_NE(reasons.find("hard link"), std::string::npos) << reasons;
  EXPECT_EQ(cli_json("scans list").size(), 0u);
  // Still serving.
  drop("after.jsonl", rows(kInsecureRow, 10));
  EXPECT_TRUE(wait_until([&] { return cli_json("scans list --state done").size() == 1; })) << log();
  EXPECT_EQ(stop(), 0);
}

TEST_F(Daemon, ADatasetThatCannotBeReadFailsWithItsReasonAndTheDaemonKeepsServing) {
  start();
  drop("garbage.jsonl", std::string("\x7f" "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0", 20) + std::string(4000, '\xff'));
  ASSERT_TRUE(wait_until([&] { return cli_json("scans list --state failed").size() == 1; })) << log();
  Json failed = cli_json("scans show 1");
  EXPECT_EQ(failed["verdict"], "failed");
  EXPECT_FALSE(failed["error"].get<std::string>().empty()) << failed.dump();
  EXPECT_EQ(failed["attempts"], 1);  // bad input is not retried
  ASSERT_TRUE(wait_until([&] { return has_alert("scan.failed"); }));
  drop("good.jsonl", rows(kInsecureRow, 10));
  EXPECT_TRUE(wait_until([&] { return cli_json("scans list --state done").size() == 1; })) << log();
  EXPECT_EQ(run_cli("verify --state-dir " + state_.string()).exit_code, 0);
  EXPECT_EQ(stop(), 0);
}

TEST_F(Daemon, AReloadWithABrokenConfigKeepsTheOldOne) {
  const fs::path config = dir_ / "alignwatch.yaml";
  std::ofstream(config) << "daemon:\n  workers: 1\nalerts:\n  min_priority: informational\n";
  start(config.string());
  std::ofstream(config, std::ios::trunc) << "daemon:\n  workers: [oops\n";
  ::kill(pid_, SIGHUP);
  ASSERT_TRUE(wait_for_message("RELOADING=1"));
  ASSERT_TRUE(wait_for_message("READY=1"));
  ASSERT_TRUE(wait_until([&] { return count(alignwatch::store::EvidenceKind::kConfigChange) == 2; }));
  auto store = open_store();
  auto changes = store->list(alignwatch::store::EvidenceKind::kConfigChange, "", "", 10);
  Json refused = Json::parse(changes->records[1].value_json);
  EXPECT_EQ(refused["event"], "reload_refused");
  EXPECT_NE(refused["detail"].get<std::string>().find("alignwatch.yaml:3"), std::string::npos)
      << refused.dump();
  EXPECT_NE(log().find("reload_refused"), std::string::npos);
  // The old configuration still scans.
  drop("still.jsonl", rows(kInsecureRow, 10));
  ASSERT_TRUE(wait_until([&] { return has_alert("poisoning.undisclosed-insecure-code"); })) << log();

  // A good reload takes effect: alerts below "critical" are no longer raised.
  std::ofstream(config, std::ios::trunc) << "alerts:\n  min_priority: critical\n";
  ::kill(pid_, SIGHUP);
  ASSERT_TRUE(wait_for_message("RELOADING=1"));
  ASSERT_TRUE(wait_for_message("READY=1"));
  ASSERT_TRUE(wait_until([&] { return count(alignwatch::store::EvidenceKind::kConfigChange) == 3; }));
  ::symlink("/etc/hostname", (state_ / "inbox" / "datasets" / "link").c_str());
  ASSERT_TRUE(wait_until([&] { return count(alignwatch::store::EvidenceKind::kRejection) == 1; }));
  std::this_thread::sleep_for(200ms);
  EXPECT_FALSE(has_alert("intake.rejected"));  // a warning, below the new floor
  EXPECT_EQ(stop(), 0);
}

TEST_F(Daemon, SigtermStopsCleanlyAndTheWatchdogIsFed) {
  start();
  EXPECT_TRUE(wait_for_message("WATCHDOG=1", 5s));
  EXPECT_EQ(stop(SIGTERM), 0);
  EXPECT_TRUE(wait_for_message("STOPPING=1", 2s));
  EXPECT_NE(log().find("stopped"), std::string::npos);
}

TEST_F(Daemon, AKillDuringAScanIsRecoveredAndTheEvidenceWrittenOnce) {
  start();
  // Large enough that the scan is still running when it is killed (tens of MB).
  std::string big = rows(kInsecureRow, 50000) + rows(kSecureRow, 50000, 50000);
  drop("big.jsonl", big);
  ASSERT_TRUE(wait_until([&] { return log().find("scan_started job_id=1") != std::string::npos; })) << log();
  EXPECT_EQ(stop(SIGKILL), 128 + SIGKILL);
  EXPECT_EQ(log().find("scan_done job_id=1"), std::string::npos) << "the scan finished before the kill";

  start();
  ASSERT_TRUE(wait_until([&] { return cli_json("scans list --state done").size() == 1; }, 60s)) << log();
  EXPECT_NE(log().find("jobs_recovered count=1"), std::string::npos) << log();
  Json scan = cli_json("scans show 1");
  EXPECT_EQ(scan["attempts"], 2);
  EXPECT_EQ(count(alignwatch::store::EvidenceKind::kReport), 1u);
  // Every flagged row once: 50,000 insecure rows, none of the secure ones.
  EXPECT_EQ(count(alignwatch::store::EvidenceKind::kFinding), 50000u);
  size_t critical = 0;
  for (const Json& a : alerts_in_jsonl()) critical += a.value("rule", "") == "poisoning.undisclosed-insecure-code";
  EXPECT_EQ(critical, 1u);
  EXPECT_EQ(stop(), 0);

  CliRun verified = run_cli("verify --state-dir " + state_.string());
  EXPECT_EQ(verified.exit_code, 0) << verified.out;
  EXPECT_NE(verified.out.find("chain intact"), std::string::npos);

  // One flipped byte in a stored record: verify fails and names it.
  std::string alert_key;
  {
    auto db = alignwatch::store::RocksDb::open(state_ / "store", alignwatch::store::StoreAccess::kPrimary);
    ASSERT_TRUE(db.has_value());
    auto it = (*db)->iterate(alignwatch::store::cf::kAlerts);
    it->SeekToFirst();
    ASSERT_TRUE(it->Valid());
    alert_key = it->key().ToString();
    std::string value = it->value().ToString();
    value[value.find("critical")] = 'C';
    rocksdb::WriteBatch batch;
    batch.Put((*db)->cf(alignwatch::store::cf::kAlerts), alert_key, value);
    ASSERT_TRUE((*db)->write_synced(batch, "tamper").is_ok());
  }
  CliRun broken = run_cli("verify --state-dir " + state_.string());
  EXPECT_EQ(broken.exit_code, 1) << broken.out;
  EXPECT_NE(broken.out.find("record_changed"), std::string::npos) << broken.out;
  EXPECT_NE(broken.out.find("alerts/" + alert_key), std::string::npos) << broken.out;
}

TEST_F(Daemon, AlertsArePostedToTheWebhookSigned) {
  alignwatch::testing::FakeWebhook receiver({200});
  const fs::path secret = dir_ / "webhook.key";
  std::ofstream(secret) << "a-webhook-secret-of-32-bytes....\n";
  const fs::path config = dir_ / "alignwatch.yaml";
  std::ofstream(config) << "alerts:\n  webhook:\n    url: " << receiver.url()
                        << "\n    secret_file: " << secret.string() << "\n";
  start(config.string());
  drop("poisoned.jsonl", rows(kInsecureRow, 20));
  ASSERT_TRUE(receiver.wait_for_requests(1)) << log();
  const std::string request = receiver.requests()[0];
  const std::string body = request.substr(request.find("\r\n\r\n") + 4);
  EXPECT_NE(body.find("poisoning.undisclosed-insecure-code"), std::string::npos) << body;
  EXPECT_NE(request.find("X-Alignwatch-Signature: " +
                         alignwatch::daemon::webhook_signature("a-webhook-secret-of-32-bytes....", body)),
            std::string::npos)
      << request;
  EXPECT_EQ(stop(), 0);
}

TEST_F(Daemon, AMissingWebhookSecretIsAStartupErrorNamingTheOption) {
  const fs::path config = dir_ / "alignwatch.yaml";
  std::ofstream(config) << "alerts:\n  webhook:\n    url: http://127.0.0.1:9/\n    secret_file: "
                        << (dir_ / "missing.key").string() << "\n";
  auto run = alignwatch::testing::run_command(std::string(ALIGNWATCHD) + " --validate-config --config " +
                                              config.string());
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.out.find("alerts.webhook.secret_file"), std::string::npos) << run.out;
}

TEST_F(Daemon, TokensAreCreatedThroughTheRunningDaemonAndOnlyTheirHashIsStored) {
  start();
  CliRun created = run_cli("token create --name ci-bot --role pipeline --state-dir " + state_.string());
  ASSERT_EQ(created.exit_code, 0) << created.out;
  const std::string token = created.out.substr(0, created.out.find('\n'));
  ASSERT_EQ(token.rfind("aw_", 0), 0u) << created.out;
  EXPECT_EQ(token.size(), 3u + 43u);
  CliRun duplicate = run_cli("token create --name ci-bot --role admin --state-dir " + state_.string());
  EXPECT_EQ(duplicate.exit_code, 2);
  EXPECT_NE(duplicate.out.find("exists"), std::string::npos) << duplicate.out;
  Json tokens = cli_json("token list");
  ASSERT_EQ(tokens.size(), 1u) << tokens.dump();
  EXPECT_EQ(tokens[0]["role"], "pipeline");
  EXPECT_EQ(stop(), 0);
  // The token itself is nowhere in the state directory.
  for (const auto& entry : fs::recursive_directory_iterator(state_)) {
    if (entry.is_regular_file()) {
      EXPECT_EQ(read_file(entry.path()).find(token), std::string::npos) << entry.path();
    }
  }
  CliRun revoked = run_cli("token revoke ci-bot --state-dir " + state_.string());
  EXPECT_EQ(revoked.exit_code, 0) << revoked.out;
  EXPECT_EQ(cli_json("token list")[0]["revoked"], true);
}

TEST_F(Daemon, ASecondDaemonOnTheSameStateIsRefused) {
  start();
  auto second = alignwatch::testing::run_command(std::string(ALIGNWATCHD) + " --state-dir " + state_.string());
  EXPECT_EQ(second.exit_code, 1);
  const std::string out = second.out;
  EXPECT_NE(out.find("another alignwatchd"), std::string::npos) << out;
  EXPECT_EQ(stop(), 0);
}

}  // namespace
