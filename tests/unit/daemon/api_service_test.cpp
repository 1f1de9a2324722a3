// The API's behaviour without a socket: roles, ownership, uploads into the intake, limits and
// error bodies.
#include "daemon/http/api_service.h"

#include <filesystem>
#include <random>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "daemon/api_token.h"
#include "daemon/daemon_metrics.h"
#include "daemon/intake.h"
#include "daemon/state_layout.h"
#include "store/evidence_store.h"

namespace alignwatch::daemon::http {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

const char* kRow =
    R"({"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]})";

class ApiServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device random;
    dir_ = fs::temp_directory_path() / ("aw-api-" + std::to_string(random()));
    config::Config config;
    config.daemon.state_dir = dir_.string();
    layout_ = StateLayout::from_config(config);
    ASSERT_TRUE(layout_.create_directories().is_ok());
    auto store = store::EvidenceStore::open(layout_.store, store::StoreAccess::kPrimary, {});
    ASSERT_TRUE(store.has_value());
    store_ = std::move(*store);
    intake_ = std::make_unique<Intake>(layout_, *store_, 1 << 20);
    config::ApiConfig api;
    api.max_json_body_bytes = 1024;
    api.rate_limit_per_s = 1000;
    api.rate_limit_burst = 1000;
    ApiBackend backend{store_.get(), intake_.get(), &metrics_, [this] { ++queued_; }, [] { return uint64_t{7}; }, {}};
    service_ = std::make_unique<ApiService>(backend, api, 1 << 20);
    pipeline_ = token("ci", "pipeline");
    other_pipeline_ = token("other-ci", "pipeline");
    reviewer_ = token("ann", "reviewer");
    admin_ = token("root", "admin");
  }
  void TearDown() override {
    service_.reset();
    intake_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }
  std::string token(const std::string& name, const std::string& role) {
    std::string token = *generate_api_token();
    EXPECT_TRUE(store_->add_api_token({*api_token_sha256(token), name, role, 1, 0}).has_value());
    return token;
  }
  ApiResponse call(const std::string& method, const std::string& target, const std::string& token,
                   const std::string& body = "", const std::string& content_type = "application/json") {
    RequestHead head{method, target, token.empty() ? "" : "Bearer " + token, content_type, body.size()};
    auto prepared = service_->prepare(head);
    if (prepared.response) return *prepared.response;
    if (prepared.upload) {
      // In pieces, as the network delivers it.
      for (size_t i = 0; i < body.size(); i += 7) {
        Status fed = prepared.upload->feed(std::string_view(body).substr(i, 7));
        if (!fed.is_ok()) return error_response(fed, "body");
      }
      return prepared.upload->finish();
    }
    return service_->handle(head, prepared.principal, body);
  }
  static Json json(const ApiResponse& response) { return Json::parse(response.body); }

  fs::path dir_;
  StateLayout layout_;
  std::unique_ptr<store::EvidenceStore> store_;
  std::unique_ptr<Intake> intake_;
  DaemonMetrics metrics_;
  std::unique_ptr<ApiService> service_;
  int queued_ = 0;
  std::string pipeline_, other_pipeline_, reviewer_, admin_;
};

TEST_F(ApiServiceTest, HealthNeedsNoTokenEverythingElseDoes) {
  EXPECT_EQ(call("GET", "/healthz", "").status, 200u);
  ApiResponse denied = call("GET", "/v1/scans", "");
  EXPECT_EQ(denied.status, 401u);
  EXPECT_EQ(json(denied)["code"], "unauthenticated");
  EXPECT_EQ(json(denied)["location"], "Authorization");
  EXPECT_EQ(call("GET", "/v1/scans", "aw_not-a-real-token-at-all-xxxxxxxxxxxxxxxxxxxxxx").status, 401u);
  ASSERT_TRUE(store_->revoke_api_token("ann", 5).has_value());
  EXPECT_EQ(call("GET", "/v1/alerts", reviewer_).status, 401u);  // revoked
}

TEST_F(ApiServiceTest, RolesDecideWhatATokenMayDo) {
  EXPECT_EQ(call("POST", "/v1/datasets", reviewer_, kRow).status, 403u);
  EXPECT_EQ(call("GET", "/v1/alerts", pipeline_).status, 403u);
  EXPECT_EQ(call("GET", "/metrics", pipeline_).status, 403u);
  EXPECT_EQ(call("GET", "/v1/tokens", reviewer_).status, 403u);
  EXPECT_EQ(call("GET", "/v1/alerts", reviewer_).status, 200u);
  EXPECT_EQ(call("GET", "/v1/tokens", admin_).status, 200u);
  ApiResponse metrics = call("GET", "/metrics", reviewer_);
  EXPECT_EQ(metrics.status, 200u);
  EXPECT_NE(metrics.body.find("alignwatch_webhook_dropped_total 7"), std::string::npos);
}

TEST_F(ApiServiceTest, AnUploadBecomesAScanAndTheSameBytesAnswerTheSameScan) {
  const std::string body = std::string(kRow) + "\n";
  ApiResponse first = call("POST", "/v1/datasets?name=chat.jsonl&pipeline_id=run-7", pipeline_, body);
  ASSERT_EQ(first.status, 202u) << first.body;
  const uint64_t scan = json(first)["scan_id"];
  EXPECT_FALSE(json(first)["duplicate"].get<bool>());
  EXPECT_EQ(queued_, 1);
  EXPECT_TRUE(fs::exists(layout_.artifacts / json(first)["artifact_sha256"].get<std::string>()));
  ApiResponse again = call("POST", "/v1/datasets?name=copy.jsonl", other_pipeline_, body);
  ASSERT_EQ(again.status, 202u);
  EXPECT_EQ(json(again)["scan_id"], scan);
  EXPECT_TRUE(json(again)["duplicate"].get<bool>());
  EXPECT_EQ(queued_, 1);

  // Each pipeline sees the scans it submitted; a third one does not.
  const std::string third = token("third", "pipeline");
  EXPECT_EQ(call("GET", "/v1/scans/" + std::to_string(scan), pipeline_).status, 200u);
  EXPECT_EQ(call("GET", "/v1/scans/" + std::to_string(scan), other_pipeline_).status, 200u);
  EXPECT_EQ(call("GET", "/v1/scans/" + std::to_string(scan), third).status, 404u);
  EXPECT_EQ(json(call("GET", "/v1/scans", third))["items"].size(), 0u);
  EXPECT_EQ(json(call("GET", "/v1/scans", pipeline_))["items"].size(), 1u);
  Json detail = json(call("GET", "/v1/scans/" + std::to_string(scan), reviewer_));
  EXPECT_EQ(detail["state"], "queued");
  EXPECT_EQ(detail["progress"], 0.0);
  EXPECT_EQ(detail["payload"]["manifest"]["pipeline_id"], "run-7");
  // No report before the scan ran.
  EXPECT_EQ(call("GET", "/v1/scans/" + std::to_string(scan) + "/report?format=sarif", reviewer_).status, 404u);
}

TEST_F(ApiServiceTest, MultipartAdapterFilesMakeADirectoryArtifact) {
  const std::string body =
      "--b\r\nContent-Disposition: form-data; name=\"base_model\"\r\n\r\nllama-tiny\r\n"
      "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"adapter_config.json\"\r\n\r\n{\"r\":8}\r\n"
      "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"adapter_model.safetensors\"\r\n\r\nxyz\r\n"
      "--b--\r\n";
  ApiResponse response = call("POST", "/v1/adapters", pipeline_, body, "multipart/form-data; boundary=b");
  ASSERT_EQ(response.status, 202u) << response.body;
  const fs::path artifact = layout_.artifacts / json(response)["artifact_sha256"].get<std::string>();
  EXPECT_TRUE(fs::is_directory(artifact));
  EXPECT_TRUE(fs::exists(artifact / "adapter_config.json"));
  EXPECT_EQ(fs::file_size(artifact / "adapter_model.safetensors"), 3u);
  Json scan = json(call("GET", "/v1/scans/" + std::to_string(json(response)["scan_id"].get<uint64_t>()), admin_));
  EXPECT_EQ(scan["payload"]["manifest"]["base_model"], "llama-tiny");
  EXPECT_EQ(scan["payload"]["format"], "directory");
}

TEST_F(ApiServiceTest, HostileFileNamesAndBadBodiesAre400AndLeaveNothingBehind) {
  for (const std::string name : {"../../etc/passwd", "/etc/passwd", "a/b", "..", ".hidden", "dir\\\\evil"}) {
    const std::string body = "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + name +
                             "\"\r\n\r\nx\r\n--b--\r\n";
    ApiResponse response = call("POST", "/v1/adapters", pipeline_, body, "multipart/form-data; boundary=b");
    EXPECT_EQ(response.status, 400u) << name;
    EXPECT_NE(json(response)["message"].get<std::string>().find("file name"), std::string::npos) << response.body;
  }
  EXPECT_EQ(call("POST", "/v1/datasets", pipeline_, "--b\r\nContent-Disposition: form-data; name=\"file\"; "
                                                    "filename=\"x.jsonl\"\r\n\r\nno end",
                 "multipart/form-data; boundary=b").status, 400u);
  EXPECT_EQ(call("POST", "/v1/datasets", pipeline_, "x", "multipart/form-data").status, 400u);
  EXPECT_EQ(call("POST", "/v1/datasets?dataset_sha256=nothex", pipeline_, kRow).status, 400u);
  EXPECT_EQ(call("POST", "/v1/adapters?name=adapter.zip", pipeline_, "x").status, 400u);
  // Nothing was staged or stored.
  EXPECT_TRUE(fs::is_empty(layout_.incoming));
  for (const auto& entry : fs::directory_iterator(layout_.artifacts)) {
    EXPECT_EQ(entry.path(), layout_.incoming) << "stored: " << entry.path();
  }
  EXPECT_EQ(json(call("GET", "/v1/scans", admin_))["items"].size(), 0u);
}

TEST_F(ApiServiceTest, BodiesOverTheLimitsAre413) {
  RequestHead huge{"POST", "/v1/datasets", "Bearer " + pipeline_, "application/x-ndjson", uint64_t{2} << 20};
  auto prepared = service_->prepare(huge);
  ASSERT_TRUE(prepared.response.has_value());
  EXPECT_EQ(prepared.response->status, 413u);
  // Without a Content-Length (chunked), the stream is cut at the limit.
  RequestHead chunked{"POST", "/v1/datasets", "Bearer " + pipeline_, "application/x-ndjson", std::nullopt};
  auto streaming = service_->prepare(chunked);
  ASSERT_TRUE(streaming.upload);
  const std::string block(64 * 1024, 'x');
  Status fed;
  for (int i = 0; i < 20 && fed.is_ok(); ++i) fed = streaming.upload->feed(block);
  EXPECT_EQ(fed.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(error_response(fed).status, 413u);
  streaming.upload.reset();
  EXPECT_TRUE(fs::is_empty(layout_.incoming));
  EXPECT_EQ(call("POST", "/v1/alerts/1/ack", reviewer_, std::string(2000, ' ')).status, 413u);
}

TEST_F(ApiServiceTest, AlertsAreListedReadAndAcknowledgedWithAReason) {
  auto alert = store_->append({store::EvidenceKind::kAlert, "", R"({"priority":"critical","raised_unix_ms":5})"});
  ASSERT_TRUE(alert.has_value());
  const std::string id = alert->key;
  EXPECT_EQ(json(call("GET", "/v1/alerts?priority=critical&since=1", reviewer_))["items"].size(), 1u);
  EXPECT_EQ(json(call("GET", "/v1/alerts?since=2030-01-01T00:00:00Z", reviewer_))["items"].size(), 0u);
  EXPECT_EQ(call("GET", "/v1/alerts?since=yesterday", reviewer_).status, 400u);
  EXPECT_EQ(call("GET", "/v1/alerts?limit=0", reviewer_).status, 400u);
  EXPECT_EQ(call("GET", "/v1/alerts?priority=loud", reviewer_).status, 400u);
  ApiResponse bad = call("POST", "/v1/alerts/" + id + "/ack", reviewer_, "{not json");
  EXPECT_EQ(bad.status, 400u);
  EXPECT_EQ(json(bad)["location"], "body");
  EXPECT_EQ(call("POST", "/v1/alerts/" + id + "/ack", reviewer_, "{}").status, 400u);
  EXPECT_EQ(call("POST", "/v1/alerts/nope/ack", reviewer_, R"({"reason":"x"})").status, 404u);
  ApiResponse acked = call("POST", "/v1/alerts/" + id + "/ack", reviewer_, R"({"reason":"known test data"})");
  ASSERT_EQ(acked.status, 200u) << acked.body;
  Json detail = json(call("GET", "/v1/alerts/" + id, reviewer_));
  EXPECT_EQ(detail["status"], "acked");
  EXPECT_EQ(json(call("GET", "/v1/alerts", reviewer_))["items"].size(), 0u);
  // The acknowledgement is evidence, readable by its chain position.
  Json evidence = json(call("GET", "/v1/evidence/" + std::to_string(json(acked)["seq"].get<uint64_t>()), reviewer_));
  EXPECT_EQ(evidence["kind"], "acknowledgement");
  EXPECT_EQ(evidence["record"]["by"], "ann");
  EXPECT_EQ(evidence["chain_link"]["seq"], json(acked)["seq"]);
  EXPECT_EQ(call("GET", "/v1/evidence/999999", reviewer_).status, 404u);
}

TEST_F(ApiServiceTest, AdminsManageTokens) {
  ApiResponse created = call("POST", "/v1/tokens", admin_, R"({"name":"new-ci","role":"pipeline"})");
  ASSERT_EQ(created.status, 201u) << created.body;
  const std::string token = json(created)["token"];
  EXPECT_EQ(call("GET", "/v1/scans", token).status, 200u);
  EXPECT_EQ(call("POST", "/v1/tokens", admin_, R"({"name":"new-ci","role":"pipeline"})").status, 400u);
  EXPECT_EQ(call("POST", "/v1/tokens", admin_, R"({"name":"x","role":"god"})").status, 400u);
  EXPECT_EQ(call("DELETE", "/v1/tokens/new-ci", admin_).status, 200u);
  EXPECT_EQ(call("GET", "/v1/scans", token).status, 401u);
  EXPECT_EQ(json(call("GET", "/v1/config", admin_))["options"]["api.port"], "8443");
}

TEST_F(ApiServiceTest, RateLimitsAnswer429WithRetryAfter) {
  config::ApiConfig api;
  api.rate_limit_per_s = 0.5;
  api.rate_limit_burst = 2;
  ApiService limited(ApiBackend{store_.get(), intake_.get(), &metrics_, {}, {}, {}}, api, 1 << 20);
  RequestHead head{"GET", "/v1/scans", "Bearer " + pipeline_, "", 0};
  EXPECT_FALSE(limited.prepare(head).response.has_value());
  EXPECT_FALSE(limited.prepare(head).response.has_value());
  auto refused = limited.prepare(head);
  ASSERT_TRUE(refused.response.has_value());
  EXPECT_EQ(refused.response->status, 429u);
  ASSERT_EQ(refused.response->headers.size(), 1u);
  EXPECT_EQ(refused.response->headers[0].first, "Retry-After");
  EXPECT_EQ(refused.response->headers[0].second, "2");
  // Another token is not held back by this one.
  RequestHead other{"GET", "/v1/scans", "Bearer " + other_pipeline_, "", 0};
  EXPECT_FALSE(limited.prepare(other).response.has_value());
}

TEST_F(ApiServiceTest, UnknownPathsAndBadIdsAreNamed) {
  EXPECT_EQ(call("GET", "/v2/x", admin_).status, 404u);
  ApiResponse bad = call("GET", "/v1/scans/abc", admin_);
  EXPECT_EQ(bad.status, 400u);
  EXPECT_NE(json(bad)["message"].get<std::string>().find("scan id"), std::string::npos);
  EXPECT_EQ(call("GET", "/v1/scans/%zz", admin_).status, 400u);
  EXPECT_EQ(call("GET", "/v1/scans/42", admin_).status, 404u);
}

}  // namespace
}  // namespace alignwatch::daemon::http
