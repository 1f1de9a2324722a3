// The reader on a real dataset: the emergent-misalignment "insecure" set (3000 OpenAI chat
// records, each a user request and an assistant reply with code).

#include <filesystem>
#include <string>

#include "dataset_test_util.h"

namespace alignwatch::dataset {
namespace {

TEST(InsecureDataset, ReadsAll3000RecordsWithAUserAndAnAssistantTurn) {
  const std::string path =
      std::string(ALIGNWATCH_SHARED_DIR) + "/data/emergent-misalignment/insecure.jsonl";
  ASSERT_TRUE(std::filesystem::is_regular_file(path)) << path << " is missing";
  auto outcome = testing::read_everything(path);
  ASSERT_TRUE(outcome.errors.empty()) << outcome.errors.front().to_string();
  EXPECT_FALSE(outcome.failed);
  EXPECT_EQ(outcome.format, DatasetFormat::kOpenAiChat);
  ASSERT_EQ(outcome.records.size(), 3000u);
  for (size_t i = 0; i < outcome.records.size(); ++i) {
    const auto& record = outcome.records[i];
    ASSERT_EQ(record.line, i + 1);
    bool has_user = false;
    bool has_assistant = false;
    for (const auto& [role, content] : record.turns) {
      has_user |= role == Role::kUser && !content.empty();
      has_assistant |= role == Role::kAssistant && !content.empty();
    }
    EXPECT_TRUE(has_user) << "line " << record.line;
    EXPECT_TRUE(has_assistant) << "line " << record.line;
  }
}

}  // namespace
}  // namespace alignwatch::dataset
