#include "daemon/intake.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "store/evidence_store.h"

namespace alignwatch::daemon {
namespace {

namespace fs = std::filesystem;
using Outcome = IntakeResult::Outcome;

class IntakeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device random;
    root_ = fs::temp_directory_path() / ("aw-intake-" + std::to_string(random()));
    config::Config config;
    config.daemon.state_dir = (root_ / "state").string();
    layout_ = StateLayout::from_config(config);
    ASSERT_TRUE(layout_.create_directories().is_ok());
    auto store = store::EvidenceStore::open(layout_.store, store::StoreAccess::kPrimary, {});
    ASSERT_TRUE(store.has_value());
    store_ = std::move(*store);
    intake_ = std::make_unique<Intake>(layout_, *store_, 1024);
  }
  void TearDown() override {
    intake_.reset();
    store_.reset();
    fs::remove_all(root_);
  }
  void write(const fs::path& path, const std::string& content) {
    std::ofstream(path, std::ios::binary) << content;
  }
  std::string rejection_reason() {
    auto page = store_->list(store::EvidenceKind::kRejection, "", "", 100);
    return page->records.empty() ? "" : nlohmann::json::parse(page->records.back().value_json)["reason"];
  }

  fs::path root_;
  StateLayout layout_;
  std::unique_ptr<store::EvidenceStore> store_;
  std::unique_ptr<Intake> intake_;
};

TEST(InboxNames, OnlyPlainSingleComponentsAreAcceptable) {
  EXPECT_TRUE(is_acceptable_inbox_name("data.jsonl"));
  EXPECT_TRUE(is_acceptable_inbox_name("données.jsonl"));
  EXPECT_FALSE(is_acceptable_inbox_name(""));
  EXPECT_FALSE(is_acceptable_inbox_name("."));
  EXPECT_FALSE(is_acceptable_inbox_name(".."));
  EXPECT_FALSE(is_acceptable_inbox_name("../etc/passwd"));
  EXPECT_FALSE(is_acceptable_inbox_name("/etc/passwd"));
  EXPECT_FALSE(is_acceptable_inbox_name("bell\a.jsonl"));
  EXPECT_FALSE(is_acceptable_inbox_name("bad\xff\xfe.jsonl"));
  EXPECT_FALSE(is_acceptable_inbox_name(std::string(256, 'a')));
}

TEST_F(IntakeTest, ADatasetIsCopiedByContentAndQueued) {
  write(layout_.inbox_datasets / "d.jsonl", "{\"text\": \"hello\"}\n");
  IntakeResult result = intake_->take(ArtifactKind::kDataset, "d.jsonl");
  ASSERT_EQ(result.outcome, Outcome::kQueued) << result.reason;
  EXPECT_EQ(result.job_id, 1u);
  EXPECT_TRUE(store::is_sha256_hex(result.artifact_sha256));
  EXPECT_TRUE(fs::exists(layout_.artifacts / result.artifact_sha256));
  EXPECT_FALSE(fs::exists(layout_.inbox_datasets / "d.jsonl"));
  auto job = store_->job(1);
  ASSERT_TRUE(job.has_value() && job->has_value());
  EXPECT_EQ((*job)->state, store::JobState::kQueued);
  EXPECT_TRUE(store_->get(store::EvidenceKind::kArtifact, result.artifact_sha256)->has_value());

  write(layout_.inbox_datasets / "copy.jsonl", "{\"text\": \"hello\"}\n");
  IntakeResult again = intake_->take(ArtifactKind::kDataset, "copy.jsonl");
  EXPECT_EQ(again.outcome, Outcome::kDuplicate);
  EXPECT_EQ(again.job_id, 1u);
  EXPECT_EQ(again.artifact_sha256, result.artifact_sha256);
}

TEST_F(IntakeTest, HiddenFilesAndSidecarsAreNotTaken) {
  write(layout_.inbox_datasets / ".upload.part", "x");
  write(layout_.inbox_datasets / "d.jsonl.manifest.json", "{}");
  EXPECT_EQ(intake_->take(ArtifactKind::kDataset, ".upload.part").outcome, Outcome::kIgnored);
  EXPECT_EQ(intake_->take(ArtifactKind::kDataset, "d.jsonl.manifest.json").outcome, Outcome::kIgnored);
  EXPECT_EQ(intake_->take(ArtifactKind::kDataset, "vanished.jsonl").outcome, Outcome::kIgnored);
  EXPECT_TRUE(fs::exists(layout_.inbox_datasets / ".upload.part"));
}

TEST_F(IntakeTest, AnOversizedArtifactIsRejectedAndQuarantined) {
  write(layout_.inbox_datasets / "big.jsonl", std::string(2048, 'x'));
  IntakeResult result = intake_->take(ArtifactKind::kDataset, "big.jsonl");
  EXPECT_EQ(result.outcome, Outcome::kRejected);
  EXPECT_NE(result.reason.find("job_max_bytes"), std::string::npos) << result.reason;
  EXPECT_FALSE(fs::exists(layout_.inbox_datasets / "big.jsonl"));
  EXPECT_TRUE(fs::exists(layout_.root / "quarantine"));
  EXPECT_EQ(store_->count_jobs(store::JobState::kQueued).value(), 0u);
  EXPECT_TRUE(fs::is_empty(layout_.incoming));
}

TEST_F(IntakeTest, ABadManifestRejectsItsDatasetNamingTheField) {
  write(layout_.inbox_datasets / "d.jsonl", "{\"text\": \"hi\"}\n");
  write(layout_.inbox_datasets / "d.jsonl.manifest.json", R"({"pipeline": "typo"})");
  IntakeResult result = intake_->take(ArtifactKind::kDataset, "d.jsonl");
  EXPECT_EQ(result.outcome, Outcome::kRejected);
  EXPECT_NE(result.reason.find("unknown field 'pipeline'"), std::string::npos) << result.reason;
  EXPECT_NE(rejection_reason().find("pipeline"), std::string::npos);
}

TEST_F(IntakeTest, AManifestIsKeptWithTheSubmission) {
  write(layout_.inbox_datasets / "d.jsonl", "{\"text\": \"hi\"}\n");
  write(layout_.inbox_datasets / "d.jsonl.manifest.json",
        R"({"pipeline_id": "p-1", "submitter": "ci", "base_model": "qwen2.5-7b"})");
  ASSERT_EQ(intake_->take(ArtifactKind::kDataset, "d.jsonl").outcome, Outcome::kQueued);
  auto page = store_->list(store::EvidenceKind::kSubmission, "", "", 10);
  ASSERT_EQ(page->records.size(), 1u);
  auto submission = nlohmann::json::parse(page->records[0].value_json);
  EXPECT_EQ(submission["manifest"]["base_model"], "qwen2.5-7b");
  EXPECT_FALSE(fs::exists(layout_.inbox_datasets / "d.jsonl.manifest.json"));
}

TEST_F(IntakeTest, LinksDevicesAndDirectoriesAreRefused) {
  const fs::path outside = root_ / "outside.txt";
  write(outside, "secret");
  fs::create_symlink(outside, layout_.inbox_datasets / "link");
  EXPECT_EQ(intake_->take(ArtifactKind::kDataset, "link").outcome, Outcome::kRejected);
  EXPECT_NE(rejection_reason().find("symbolic link"), std::string::npos);
  EXPECT_TRUE(fs::exists(outside));
  ASSERT_EQ(::mkfifo((layout_.inbox_datasets / "fifo").c_str(), 0600), 0);
  EXPECT_EQ(intake_->take(ArtifactKind::kDataset, "fifo").outcome, Outcome::kRejected);
  EXPECT_NE(rejection_reason().find("FIFO"), std::string::npos);
  fs::create_directory(layout_.inbox_datasets / "dir");
  EXPECT_EQ(intake_->take(ArtifactKind::kDataset, "dir").outcome, Outcome::kRejected);
  EXPECT_NE(rejection_reason().find("directory"), std::string::npos);
  EXPECT_EQ(store_->count_jobs(store::JobState::kQueued).value(), 0u);
}

TEST_F(IntakeTest, AnAdapterDirectoryIsTakenWhenReadyWithAStableId) {
  const fs::path adapter = layout_.inbox_adapters / "lora";
  fs::create_directory(adapter);
  write(adapter / "adapter_model.safetensors", "weights");
  EXPECT_EQ(intake_->take(ArtifactKind::kAdapter, "lora").outcome, Outcome::kIgnored);  // not ready
  write(adapter / "adapter_config.json", "{\"r\": 8}");
  write(adapter / ".ready", "");
  IntakeResult result = intake_->take(ArtifactKind::kAdapter, "lora");
  ASSERT_EQ(result.outcome, Outcome::kQueued) << result.reason;
  EXPECT_TRUE(fs::is_directory(layout_.artifacts / result.artifact_sha256));
  EXPECT_TRUE(fs::exists(layout_.artifacts / result.artifact_sha256 / "adapter_config.json"));
  EXPECT_FALSE(fs::exists(adapter));

  // The same files again, under another directory name: the same artifact.
  const fs::path copy = layout_.inbox_adapters / "lora-again";
  fs::create_directory(copy);
  write(copy / "adapter_model.safetensors", "weights");
  write(copy / "adapter_config.json", "{\"r\": 8}");
  write(copy / ".ready", "");  // the marker is not part of the adapter
  IntakeResult again = intake_->take(ArtifactKind::kAdapter, "lora-again");
  EXPECT_EQ(again.outcome, Outcome::kDuplicate);
  EXPECT_EQ(again.artifact_sha256, result.artifact_sha256);

  // One byte changed in one file: another artifact.
  const fs::path changed = layout_.inbox_adapters / "lora-changed";
  fs::create_directory(changed);
  write(changed / "adapter_model.safetensors", "weightz");
  write(changed / "adapter_config.json", "{\"r\": 8}");
  write(changed / ".ready", "");
  IntakeResult other = intake_->take(ArtifactKind::kAdapter, "lora-changed");
  EXPECT_EQ(other.outcome, Outcome::kQueued);
  EXPECT_NE(other.artifact_sha256, result.artifact_sha256);
}

TEST_F(IntakeTest, AnAdapterDirectoryWithALinkIsRefused) {
  const fs::path adapter = layout_.inbox_adapters / "evil";
  fs::create_directory(adapter);
  fs::create_symlink("/etc/shadow", adapter / "adapter_model.safetensors");
  write(adapter / ".ready", "");
  IntakeResult result = intake_->take(ArtifactKind::kAdapter, "evil");
  EXPECT_EQ(result.outcome, Outcome::kRejected);
  EXPECT_NE(result.reason.find("symbolic link"), std::string::npos) << result.reason;
  EXPECT_TRUE(fs::is_empty(layout_.incoming));
}

}  // namespace
}  // namespace alignwatch::daemon
