#include "store/evidence_store.h"

#include <gtest/gtest.h>

#include "store/digest.h"
#include "store_test_dir.h"

namespace alignwatch::store {
namespace {

using testing::TempDir;

std::unique_ptr<EvidenceStore> open_primary(const TempDir& dir, std::string secret = "") {
  StoreOptions options;
  options.chain_secret = std::move(secret);
  auto store = EvidenceStore::open(dir.path() / "db", StoreAccess::kPrimary, options);
  EXPECT_TRUE(store.has_value()) << store.error().to_string();
  return store ? std::move(*store) : nullptr;
}

TEST(EvidenceStore, AppendedRecordsComeBackWithTheirLinks) {
  TempDir dir;
  auto store = open_primary(dir);
  auto first = store->append({EvidenceKind::kAlert, "", R"({"priority":"critical"})"});
  ASSERT_TRUE(first.has_value()) << first.error().to_string();
  auto second = store->append({EvidenceKind::kArtifact, std::string(64, 'a'), R"({"size":3})"});
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(first->seq, 1u);
  EXPECT_EQ(first->key, "00000000000000000001");
  EXPECT_EQ(second->seq, 2u);

  auto got = store->get(EvidenceKind::kAlert, first->key);
  ASSERT_TRUE(got.has_value() && got->has_value());
  EXPECT_EQ((*got)->value_json, R"({"priority":"critical"})");
  ASSERT_TRUE((*got)->link.has_value());
  EXPECT_EQ((*got)->link->seq, 1u);
  EXPECT_EQ((*got)->link->kind, "alert");
  EXPECT_EQ((*got)->link->body_sha256, *sha256(R"({"priority":"critical"})"));

  auto second_link = store->link_at(2);
  ASSERT_TRUE(second_link.has_value() && second_link->has_value());
  EXPECT_EQ((*second_link)->prev_link_hash, (*got)->link->link_hash);
  auto head = store->chain_head();
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->seq, 2u);
  EXPECT_EQ(head->link_hash, (*second_link)->link_hash);
}

TEST(EvidenceStore, EvidenceIsNeverOverwritten) {
  TempDir dir;
  auto store = open_primary(dir);
  const std::string key(64, 'b');
  ASSERT_TRUE(store->append({EvidenceKind::kArtifact, key, R"({"v":1})"}).has_value());
  auto again = store->append({EvidenceKind::kArtifact, key, R"({"v":2})"});
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(again.error().message().find("written once"), std::string::npos);
  auto got = store->get(EvidenceKind::kArtifact, key);
  EXPECT_EQ((*got)->value_json, R"({"v":1})");
  // A batch with a bad record writes none of its records.
  std::vector<EvidenceRecord> batch = {{EvidenceKind::kAlert, "x1", R"({"ok":true})"},
                                       {EvidenceKind::kAlert, "x2", "not json"}};
  auto failed = store->append(batch);
  ASSERT_FALSE(failed.has_value());
  EXPECT_NE(failed.error().message().find("alerts/x2"), std::string::npos) << failed.error().message();
  EXPECT_FALSE(store->get(EvidenceKind::kAlert, "x1")->has_value());
  EXPECT_EQ(store->chain_head()->seq, 1u);
}

TEST(EvidenceStore, HostileKeysAreRefused) {
  TempDir dir;
  auto store = open_primary(dir);
  for (std::string key : {std::string("has space"), std::string("tab\t"), std::string(600, 'k'),
                          std::string("nul\0x", 5)}) {
    auto appended = store->append({EvidenceKind::kRejection, key, "{}"});
    EXPECT_FALSE(appended.has_value()) << key;
  }
}

TEST(EvidenceStore, ListPagesInKeyOrder) {
  TempDir dir;
  auto store = open_primary(dir);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(store->append({EvidenceKind::kAlert, "", "{\"i\":" + std::to_string(i) + "}"}));
  }
  ASSERT_TRUE(store->append({EvidenceKind::kReport, "r", "{}"}));
  auto page = store->list(EvidenceKind::kAlert, "", "", 2);
  ASSERT_TRUE(page.has_value());
  ASSERT_EQ(page->records.size(), 2u);
  EXPECT_EQ(page->records[0].value_json, R"({"i":0})");
  ASSERT_FALSE(page->next_after.empty());
  auto rest = store->list(EvidenceKind::kAlert, "", page->next_after, 10);
  ASSERT_EQ(rest->records.size(), 3u);
  EXPECT_EQ(rest->records[2].value_json, R"({"i":4})");
  EXPECT_TRUE(rest->next_after.empty());
  EXPECT_TRUE(rest->records[0].link.has_value());
}

TEST(EvidenceStore, ReopenedStoreContinuesTheChain) {
  TempDir dir;
  {
    auto store = open_primary(dir);
    ASSERT_TRUE(store->append({EvidenceKind::kAlert, "", "{}"}));
  }
  auto store = open_primary(dir);
  auto next = store->append({EvidenceKind::kAlert, "", R"({"n":2})"});
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->seq, 2u);
  auto report = store->verify();
  ASSERT_TRUE(report.has_value());
  EXPECT_TRUE(report->intact()) << report->to_string();
  EXPECT_EQ(report->links_checked, 2u);
}

TEST(EvidenceStore, AStoreCreatedWithASecretNeedsThatSecret) {
  TempDir dir;
  { ASSERT_NE(open_primary(dir, "s3cret"), nullptr); }
  StoreOptions wrong;
  wrong.chain_secret = "other";
  auto opened = EvidenceStore::open(dir.path() / "db", StoreAccess::kPrimary, wrong);
  ASSERT_FALSE(opened.has_value());
  EXPECT_EQ(opened.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(opened.error().message().find("hmac-sha256"), std::string::npos);
  auto unkeyed = EvidenceStore::open(dir.path() / "db", StoreAccess::kPrimary, {});
  ASSERT_FALSE(unkeyed.has_value());
  StoreOptions right;
  right.chain_secret = "s3cret";
  EXPECT_TRUE(EvidenceStore::open(dir.path() / "db", StoreAccess::kPrimary, right).has_value());
}

TEST(EvidenceStore, ReadersFollowARunningPrimary) {
  TempDir dir;
  auto primary = open_primary(dir);
  ASSERT_TRUE(primary->append({EvidenceKind::kAlert, "a1", "{}"}));
  // A second primary cannot open the same store...
  auto second = EvidenceStore::open(dir.path() / "db", StoreAccess::kPrimary, {});
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error().code(), StatusCode::kUnavailable) << second.error().to_string();
  // ...but a secondary can, and sees later writes after catch_up().
  StoreOptions options;
  options.secondary_path = dir.path() / "secondary";
  auto reader = EvidenceStore::open(dir.path() / "db", StoreAccess::kSecondary, options);
  ASSERT_TRUE(reader.has_value()) << reader.error().to_string();
  EXPECT_TRUE((*reader)->get(EvidenceKind::kAlert, "a1")->has_value());
  ASSERT_TRUE(primary->append({EvidenceKind::kAlert, "a2", "{}"}));
  ASSERT_TRUE((*reader)->catch_up().is_ok());
  EXPECT_TRUE((*reader)->get(EvidenceKind::kAlert, "a2")->has_value());
  auto write = (*reader)->append({EvidenceKind::kAlert, "a3", "{}"});
  EXPECT_FALSE(write.has_value());
}

TEST(EvidenceStore, OpeningAMissingStoreReadOnlyNamesIt) {
  TempDir dir;
  auto opened = EvidenceStore::open(dir.path() / "nothing", StoreAccess::kReadOnly, {});
  ASSERT_FALSE(opened.has_value());
  EXPECT_EQ(opened.error().code(), StatusCode::kNotFound);
  EXPECT_NE(opened.error().to_string().find("nothing"), std::string::npos);
}

}  // namespace
}  // namespace alignwatch::store
