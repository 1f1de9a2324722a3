#include "daemon/evidence_queries.h"

#include <filesystem>
#include <random>

#include <gtest/gtest.h>

namespace alignwatch::daemon {
namespace {

namespace fs = std::filesystem;

class EvidenceQueries : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device random;
    dir_ = fs::temp_directory_path() / ("aw-queries-" + std::to_string(random()));
    auto store = store::EvidenceStore::open(dir_, store::StoreAccess::kPrimary, {});
    ASSERT_TRUE(store.has_value());
    store_ = std::move(*store);
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }
  std::string alert(const std::string& priority, int64_t raised) {
    auto appended = store_->append({store::EvidenceKind::kAlert, "",
                                    "{\"priority\":\"" + priority + "\",\"raised_unix_ms\":" +
                                        std::to_string(raised) + "}"});
    EXPECT_TRUE(appended.has_value());
    return appended->key;
  }
  fs::path dir_;
  std::unique_ptr<store::EvidenceStore> store_;
};

TEST_F(EvidenceQueries, AlertsPageFilterAndShowTheirAcknowledgements) {
  const std::string first = alert("critical", 100);
  alert("warning", 200);
  const std::string third = alert("error", 300);
  alert("critical", 400);
  ASSERT_TRUE(store_->append({store::EvidenceKind::kAcknowledgement, first + "/r1", R"({"by":"ann"})"}));

  AlertQuery open;
  auto page = query_alerts(*store_, open);
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(page->items.size(), 3u);  // the acknowledged one is not open

  AlertQuery paged;
  paged.status = "all";
  paged.limit = 2;
  auto one = query_alerts(*store_, paged);
  ASSERT_EQ(one->items.size(), 2u);
  ASSERT_FALSE(one->next_after.empty());
  paged.after = one->next_after;
  auto two = query_alerts(*store_, paged);
  ASSERT_EQ(two->items.size(), 2u);
  EXPECT_TRUE(two->next_after.empty());
  EXPECT_EQ(two->items[0]["id"], third);

  AlertQuery severe;
  severe.status = "all";
  severe.min_priority = "error";
  severe.since_unix_ms = 150;
  auto filtered = query_alerts(*store_, severe);
  ASSERT_EQ(filtered->items.size(), 2u);  // error at 300, critical at 400
  EXPECT_EQ(filtered->items[0]["priority"], "error");

  AlertQuery bad;
  bad.status = "closed";
  EXPECT_FALSE(query_alerts(*store_, bad).has_value());

  auto shown = alert_detail(*store_, first);
  ASSERT_TRUE(shown.has_value() && shown->has_value());
  EXPECT_EQ((**shown)["status"], "acked");
  EXPECT_EQ((**shown)["acknowledgements"][0]["by"], "ann");
  EXPECT_EQ((**shown)["chain_link"]["seq"], 1);
  EXPECT_FALSE(alert_detail(*store_, "nope")->has_value());
}

TEST_F(EvidenceQueries, ScansPageInIdOrderWithTheirVerdicts) {
  for (char c : {'a', 'b', 'c'}) {
    ASSERT_TRUE(store_->create_job({std::string(64, c), R"({"kind":"dataset","name":"x"})"}, {}, 1));
  }
  auto claimed = store_->claim_next(2);
  ASSERT_TRUE(claimed.has_value() && claimed->has_value());
  const std::string key = report_key_of(**claimed);
  std::vector<store::EvidenceRecord> evidence = {
      {store::EvidenceKind::kReport, key,
       "{\"verdict\":\"flagged\",\"records_key_prefix\":\"" + key + "/\",\"report\":{\"files\":[{\"records\":[]}]}}"},
      {store::EvidenceKind::kFinding, key + "/00000000000000000007", R"({"line":7,"findings":[]})"}};
  ASSERT_TRUE(store_->finish_job((*claimed)->id, evidence, 0, 3).has_value());

  ScanQuery query;
  query.limit = 2;
  auto page = query_scans(*store_, query);
  ASSERT_TRUE(page.has_value());
  ASSERT_EQ(page->items.size(), 2u);
  EXPECT_EQ(page->items[0]["id"], 1);
  EXPECT_EQ(page->items[0]["verdict"], "flagged");
  EXPECT_TRUE(page->items[1]["verdict"].is_null());
  EXPECT_EQ(page->next_after, "2");
  query.after_id = 2;
  auto rest = query_scans(*store_, query);
  ASSERT_EQ(rest->items.size(), 1u);
  EXPECT_EQ(rest->items[0]["id"], 3);

  auto detail = scan_detail(*store_, 1, /*with_report=*/true);
  ASSERT_TRUE(detail.has_value() && detail->has_value());
  EXPECT_EQ((**detail)["report"]["files"][0]["records"][0]["line"], 7);
  EXPECT_FALSE(scan_detail(*store_, 99, false)->has_value());
  ScanQuery bad;
  bad.state = "sleeping";
  EXPECT_FALSE(query_scans(*store_, bad).has_value());
}

}  // namespace
}  // namespace alignwatch::daemon
