// Tampering with the store behind its back, the way an attacker with write access to the state
// directory would, and checking that verify() names the first record concerned.

#include <gtest/gtest.h>

#include <rocksdb/write_batch.h>

#include "store/evidence_store.h"
#include "store/rocks_db.h"
#include "store/store_schema.h"
#include "store_test_dir.h"

namespace alignwatch::store {
namespace {

using testing::TempDir;

class ChainTamper : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = open();
    for (int i = 1; i <= 6; ++i) {
      ASSERT_TRUE(store->append({EvidenceKind::kAlert, "", "{\"n\":" + std::to_string(i) + "}"}));
    }
  }
  std::unique_ptr<EvidenceStore> open() {
    StoreOptions options;
    options.chain_secret = secret_;
    auto store = EvidenceStore::open(dir_.path() / "db", StoreAccess::kPrimary, options);
    EXPECT_TRUE(store.has_value()) << store.error().to_string();
    return std::move(*store);
  }
  // Runs `edit` on the raw database, with no store open.
  template <typename Edit>
  void tamper(Edit edit) {
    auto db = RocksDb::open(dir_.path() / "db", StoreAccess::kPrimary);
    ASSERT_TRUE(db.has_value());
    rocksdb::WriteBatch batch;
    edit(**db, batch);
    ASSERT_TRUE((*db)->write_synced(batch, "tamper").is_ok());
  }
  VerifyReport verify() {
    auto report = open()->verify();
    EXPECT_TRUE(report.has_value()) << report.error().to_string();
    return *report;
  }
  static std::string alert_key(int n) { return padded_decimal(static_cast<uint64_t>(n)); }

  TempDir dir_;
  std::string secret_ = "chain-secret";
};

TEST_F(ChainTamper, AnUntouchedChainIsIntact) {
  VerifyReport report = verify();
  EXPECT_TRUE(report.intact()) << report.to_string();
  EXPECT_EQ(report.links_checked, 6u);
  EXPECT_EQ(report.records_checked, 6u);
  EXPECT_EQ(report.mode, "hmac-sha256");
}

TEST_F(ChainTamper, OneFlippedByteNamesTheRecord) {
  tamper([](RocksDb& db, rocksdb::WriteBatch& batch) {
    batch.Put(db.cf(cf::kAlerts), alert_key(4), R"({"n":5})");
  });
  VerifyReport report = verify();
  ASSERT_FALSE(report.intact());
  EXPECT_EQ(report.first_problem->kind, ChainProblemKind::kRecordChanged);
  EXPECT_EQ(report.first_problem->seq, 4u);
  EXPECT_EQ(report.first_problem->column_family, "alerts");
  EXPECT_EQ(report.first_problem->key, alert_key(4));
  EXPECT_EQ(report.links_checked, 3u);
  EXPECT_NE(report.to_string().find("seq 4 (alert alerts/" + alert_key(4)), std::string::npos)
      << report.to_string();
}

TEST_F(ChainTamper, ARemovedRecordIsMissing) {
  tamper([](RocksDb& db, rocksdb::WriteBatch& batch) { batch.Delete(db.cf(cf::kAlerts), alert_key(2)); });
  VerifyReport report = verify();
  ASSERT_FALSE(report.intact());
  EXPECT_EQ(report.first_problem->kind, ChainProblemKind::kRecordMissing);
  EXPECT_EQ(report.first_problem->seq, 2u);
}

TEST_F(ChainTamper, ARemovedLinkIsMissing) {
  tamper([](RocksDb& db, rocksdb::WriteBatch& batch) {
    batch.Delete(db.cf(cf::kAuditChain), encode_u64_be(3));
  });
  VerifyReport report = verify();
  ASSERT_FALSE(report.intact());
  EXPECT_EQ(report.first_problem->kind, ChainProblemKind::kLinkMissing);
  EXPECT_EQ(report.first_problem->seq, 3u);
}

TEST_F(ChainTamper, SwappedLinksAreReordered) {
  tamper([](RocksDb& db, rocksdb::WriteBatch& batch) {
    auto two = db.get(cf::kAuditChain, encode_u64_be(2));
    auto three = db.get(cf::kAuditChain, encode_u64_be(3));
    batch.Put(db.cf(cf::kAuditChain), encode_u64_be(2), **three);
    batch.Put(db.cf(cf::kAuditChain), encode_u64_be(3), **two);
  });
  VerifyReport report = verify();
  ASSERT_FALSE(report.intact());
  EXPECT_EQ(report.first_problem->kind, ChainProblemKind::kLinkReordered);
  EXPECT_EQ(report.first_problem->seq, 2u);
}

TEST_F(ChainTamper, ATruncatedChainDisagreesWithItsHead) {
  tamper([](RocksDb& db, rocksdb::WriteBatch& batch) {
    batch.Delete(db.cf(cf::kAuditChain), encode_u64_be(6));
    batch.Delete(db.cf(cf::kAlerts), alert_key(6));
    batch.Delete(db.cf(cf::kChainIndex), chain_index_key(cf::kAlerts, alert_key(6)));
  });
  VerifyReport report = verify();
  ASSERT_FALSE(report.intact());
  EXPECT_EQ(report.first_problem->kind, ChainProblemKind::kHeadMismatch);
  EXPECT_EQ(report.links_checked, 5u);
}

TEST_F(ChainTamper, AnInsertedRecordIsNotInTheChain) {
  tamper([](RocksDb& db, rocksdb::WriteBatch& batch) {
    batch.Put(db.cf(cf::kAlerts), "forged", R"({"priority":"info"})");
  });
  VerifyReport report = verify();
  ASSERT_FALSE(report.intact());
  EXPECT_EQ(report.first_problem->kind, ChainProblemKind::kRecordNotInChain);
  EXPECT_EQ(report.first_problem->key, "forged");
}

TEST_F(ChainTamper, ARebuiltLinkWithoutTheSecretIsAltered) {
  // The attacker changes a record and fixes its body hash in the link, but cannot recompute the
  // HMAC link hash without the secret.
  tamper([](RocksDb& db, rocksdb::WriteBatch& batch) {
    const std::string forged = R"({"n":99})";
    batch.Put(db.cf(cf::kAlerts), alert_key(5), forged);
    auto text = db.get(cf::kAuditChain, encode_u64_be(5));
    auto link = decode_chain_link(**text, "test");
    link->body_sha256 = *sha256(forged);
    batch.Put(db.cf(cf::kAuditChain), encode_u64_be(5), encode_chain_link(*link));
  });
  VerifyReport report = verify();
  ASSERT_FALSE(report.intact());
  EXPECT_EQ(report.first_problem->kind, ChainProblemKind::kLinkAltered);
  EXPECT_EQ(report.first_problem->seq, 5u);
}

}  // namespace
}  // namespace alignwatch::store
