#include "core/status.h"

#include <gtest/gtest.h>

namespace alignwatch {
namespace {

Result<int> parse_positive(int v) {
  if (v <= 0) return make_error(StatusCode::kInvalidArgument, "expected > 0, got " + std::to_string(v));
  return v;
}

Result<int> doubled(int v) {
  AW_ASSIGN_OR_RETURN(int x, parse_positive(v));
  return 2 * x;
}

TEST(Status, CarriesCodeMessageAndLocation) {
  Status s(StatusCode::kCorruption, "bad", Location{"f.jsonl", 3, 7});
  EXPECT_FALSE(s.is_ok());
  EXPECT_EQ(s.to_string(), "f.jsonl:3:7: bad");
  EXPECT_EQ(status_code_name(s.code()), "corruption");
  EXPECT_TRUE(Status::ok().is_ok());
}

TEST(Status, AssignOrReturnPropagatesErrors) {
  EXPECT_EQ(*doubled(4), 8);
  auto r = doubled(-1);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.error().message(), "expected > 0, got -1");
}

}  // namespace
}  // namespace alignwatch
