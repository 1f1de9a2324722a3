#include <gtest/gtest.h>

#include "store/evidence_store.h"
#include "store_test_dir.h"

namespace alignwatch::store {
namespace {

using testing::TempDir;

std::unique_ptr<EvidenceStore> open(const TempDir& dir) {
  auto store = EvidenceStore::open(dir.path() / "db", StoreAccess::kPrimary, {});
  EXPECT_TRUE(store.has_value());
  return std::move(*store);
}

TEST(ApiTokenStore, ATokenIsFoundByItsHashAndItsCreationIsEvidence) {
  TempDir dir;
  auto store = open(dir);
  const std::string hash(64, 'e');
  auto added = store->add_api_token({hash, "ci", "pipeline", 1000, 0});
  ASSERT_TRUE(added.has_value()) << added.error().to_string();
  auto found = store->find_api_token(hash);
  ASSERT_TRUE(found.has_value() && found->has_value());
  EXPECT_EQ((*found)->name, "ci");
  EXPECT_EQ((*found)->role, "pipeline");
  EXPECT_FALSE((*found)->revoked());
  EXPECT_FALSE(store->find_api_token(std::string(64, 'f'))->has_value());
  auto change = store->get(EvidenceKind::kConfigChange, added->key);
  ASSERT_TRUE(change->has_value());
  EXPECT_NE((*change)->value_json.find("\"token_created\""), std::string::npos);
  EXPECT_NE((*change)->value_json.find(hash.substr(0, 16)), std::string::npos);
  EXPECT_EQ((*change)->value_json.find(hash), std::string::npos);  // not the whole hash
}

TEST(ApiTokenStore, NamesAreUniqueAmongValidTokens) {
  TempDir dir;
  auto store = open(dir);
  ASSERT_TRUE(store->add_api_token({std::string(64, 'a'), "ci", "pipeline", 1, 0}));
  auto again = store->add_api_token({std::string(64, 'b'), "ci", "admin", 2, 0});
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(store->revoke_api_token("ci", 3).has_value());
  EXPECT_TRUE((*store->find_api_token(std::string(64, 'a')))->revoked());
  // Once revoked, the name may be given to a new token; a revoked token's hash never again.
  EXPECT_TRUE(store->add_api_token({std::string(64, 'b'), "ci", "admin", 4, 0}).has_value());
  EXPECT_FALSE(store->add_api_token({std::string(64, 'a'), "other", "admin", 5, 0}).has_value());
  EXPECT_EQ(store->list_api_tokens()->size(), 2u);
  EXPECT_EQ(store->revoke_api_token("nobody", 6).error().code(), StatusCode::kNotFound);
  EXPECT_TRUE(store->verify()->intact());
}

TEST(ApiTokenStore, MalformedTokensAreRefused) {
  TempDir dir;
  auto store = open(dir);
  EXPECT_FALSE(store->add_api_token({"not-a-hash", "ci", "pipeline", 1, 0}).has_value());
  EXPECT_FALSE(store->add_api_token({std::string(64, 'a'), "", "pipeline", 1, 0}).has_value());
  EXPECT_FALSE(store->add_api_token({std::string(64, 'a'), "ci", "", 1, 0}).has_value());
  EXPECT_TRUE(store->list_api_tokens()->empty());
}

}  // namespace
}  // namespace alignwatch::store
