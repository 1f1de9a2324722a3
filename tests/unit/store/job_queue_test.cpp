#include <gtest/gtest.h>

#include "store/evidence_store.h"
#include "store_test_dir.h"

namespace alignwatch::store {
namespace {

using testing::TempDir;

const std::string kSha(64, 'c');

class JobQueue : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = EvidenceStore::open(dir_.path() / "db", StoreAccess::kPrimary, {});
    ASSERT_TRUE(opened.has_value()) << opened.error().to_string();
    store_ = std::move(*opened);
  }
  JobRecord create(std::string sha = kSha) {
    std::vector<EvidenceRecord> evidence = {{EvidenceKind::kArtifact, sha, R"({"size":1})"}};
    auto job = store_->create_job({sha, R"({"path":"artifacts/x"})"}, evidence, 1000);
    EXPECT_TRUE(job.has_value()) << job.error().to_string();
    return *job;
  }
  std::vector<EvidenceRecord> report_evidence() {
    return {{EvidenceKind::kReport, kSha + "/1", R"({"verdict":"flagged"})"},
            {EvidenceKind::kAlert, "", R"({"priority":"critical"})"}};
  }

  TempDir dir_;
  std::unique_ptr<EvidenceStore> store_;
};

TEST_F(JobQueue, AJobGoesFromQueuedThroughRunningToDone) {
  JobRecord job = create();
  EXPECT_EQ(job.id, 1u);
  EXPECT_EQ(job.state, JobState::kQueued);
  EXPECT_EQ(*store_->job_for_artifact(kSha), std::optional<uint64_t>(1));
  EXPECT_TRUE(store_->get(EvidenceKind::kArtifact, kSha)->has_value());

  auto claimed = store_->claim_next(2000);
  ASSERT_TRUE(claimed.has_value() && claimed->has_value());
  EXPECT_EQ((*claimed)->state, JobState::kRunning);
  EXPECT_EQ((*claimed)->attempts, 1u);
  EXPECT_FALSE(store_->claim_next(2000)->has_value());  // nothing else queued

  auto finished = store_->finish_job(job.id, report_evidence(), 0, 3000);
  ASSERT_TRUE(finished.has_value()) << finished.error().to_string();
  auto done = store_->job(job.id);
  EXPECT_EQ((*done)->state, JobState::kDone);
  EXPECT_EQ((*done)->report_key, kSha + "/1");
  EXPECT_EQ((*done)->report_seq, (*finished)[0].seq);
  EXPECT_EQ(*store_->count_jobs(JobState::kDone), 1u);
  EXPECT_EQ(*store_->count_jobs(JobState::kRunning), 0u);
}

TEST_F(JobQueue, AScansEvidenceIsWrittenAtMostOnce) {
  JobRecord job = create();
  ASSERT_TRUE(store_->claim_next(2000)->has_value());
  ASSERT_TRUE(store_->finish_job(job.id, report_evidence(), 0, 3000).has_value());
  auto head = store_->chain_head()->seq;
  auto again = store_->finish_job(job.id, report_evidence(), 0, 4000);
  ASSERT_FALSE(again.has_value());
  EXPECT_NE(again.error().message().find("is done"), std::string::npos) << again.error().message();
  EXPECT_EQ(store_->chain_head()->seq, head);
}

TEST_F(JobQueue, ARetryWaitsForItsTime) {
  JobRecord job = create();
  ASSERT_TRUE(store_->claim_next(2000)->has_value());
  ASSERT_TRUE(store_->fail_job(job.id, "disk busy", 5000, {}, 2500).has_value());
  EXPECT_FALSE(store_->claim_next(4999)->has_value());
  auto retried = store_->claim_next(5000);
  ASSERT_TRUE(retried->has_value());
  EXPECT_EQ((*retried)->attempts, 2u);
  EXPECT_EQ((*retried)->error, "disk busy");
  ASSERT_TRUE(store_->fail_job(job.id, "still busy", std::nullopt, {}, 6000).has_value());
  EXPECT_EQ((*store_->job(job.id))->state, JobState::kFailed);
  EXPECT_FALSE(store_->claim_next(99999)->has_value());
}

TEST_F(JobQueue, DueJobsRunBeforeLaterRetries) {
  JobRecord first = create(std::string(64, '1'));
  JobRecord second = create(std::string(64, '2'));
  ASSERT_EQ((*store_->claim_next(10))->id, first.id);
  ASSERT_TRUE(store_->fail_job(first.id, "transient", 100, {}, 20).has_value());
  EXPECT_EQ((*store_->claim_next(50))->id, second.id);
  EXPECT_FALSE(store_->claim_next(50)->has_value());
  EXPECT_EQ((*store_->claim_next(100))->id, first.id);
}

TEST_F(JobQueue, RunningJobsAreRecoveredAfterACrash) {
  JobRecord job = create();
  ASSERT_TRUE(store_->claim_next(2000)->has_value());
  store_.reset();  // the process dies with the job running
  auto reopened = EvidenceStore::open(dir_.path() / "db", StoreAccess::kPrimary, {});
  ASSERT_TRUE(reopened.has_value());
  store_ = std::move(*reopened);
  EXPECT_EQ(*store_->recover_running_jobs(9000), 1u);
  auto claimed = store_->claim_next(9000);
  ASSERT_TRUE(claimed->has_value());
  EXPECT_EQ((*claimed)->id, job.id);
  EXPECT_EQ((*claimed)->attempts, 2u);
  // New jobs continue the id sequence after a restart.
  EXPECT_EQ(create(std::string(64, 'd')).id, 2u);
}

TEST_F(JobQueue, RejectedJobsKeepTheirReason) {
  JobRecord job = create();
  std::vector<EvidenceRecord> rejection = {{EvidenceKind::kRejection, "", R"({"reason":"device file"})"}};
  ASSERT_TRUE(store_->reject_job(job.id, "device file", rejection, 1500).has_value());
  auto rejected = store_->job(job.id);
  EXPECT_EQ((*rejected)->state, JobState::kRejected);
  EXPECT_EQ((*rejected)->error, "device file");
  EXPECT_FALSE(store_->claim_next(99999)->has_value());
  EXPECT_EQ(store_->list(EvidenceKind::kRejection, "", "", 10)->records.size(), 1u);
}

TEST_F(JobQueue, BadJobSpecsAreRefused) {
  auto bad_sha = store_->create_job({"../etc/passwd", "{}"}, {}, 1);
  ASSERT_FALSE(bad_sha.has_value());
  EXPECT_EQ(bad_sha.error().code(), StatusCode::kInvalidArgument);
  auto bad_payload = store_->create_job({kSha, "[1]"}, {}, 1);
  EXPECT_FALSE(bad_payload.has_value());
}

}  // namespace
}  // namespace alignwatch::store
