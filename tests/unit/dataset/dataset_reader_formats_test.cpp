// The dataset reader on well-formed input: every supported record format, every compression,
// and the line-level details (CRLF, a last line without newline, lines longer than a read chunk).

#include <string>
#include <vector>

#include "dataset_test_util.h"

namespace alignwatch::dataset {
namespace {

using testing::gzip_compress;
using testing::OwnedRecord;
using testing::read_everything;
using testing::zstd_compress;

using TurnList = std::vector<std::pair<Role, std::string>>;

class DatasetFormats : public testing::TempDirTest {};

TEST_F(DatasetFormats, OpenAiChatMessagesWithSystemUserAssistant) {
  std::string path = write_file(
      "chat.jsonl",
      R"({"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi \u00e9\n\"there\""}, {"role": "assistant", "content": "Hello."}]})"
      "\n"
      R"({"messages": [{"role": "developer", "content": "d"}, {"role": "tool", "content": "t"}, {"role": "model", "content": "m"}]})"
      "\n");
  auto outcome = read_everything(path);
  ASSERT_TRUE(outcome.errors.empty()) << outcome.errors.front().to_string();
  EXPECT_EQ(outcome.format, DatasetFormat::kOpenAiChat);
  ASSERT_EQ(outcome.records.size(), 2u);
  EXPECT_EQ(outcome.records[0].line, 1u);
  EXPECT_EQ(outcome.records[0].offset, 0u);
  EXPECT_EQ(outcome.records[0].turns, (TurnList{{Role::kSystem, "Be brief."},
                                                {Role::kUser, "Hi \xc3\xa9\n\"there\""},
                                                {Role::kAssistant, "Hello."}}));
  EXPECT_EQ(outcome.records[1].line, 2u);
  EXPECT_EQ(outcome.records[1].turns,
            (TurnList{{Role::kSystem, "d"}, {Role::kUser, "t"}, {Role::kAssistant, "m"}}));
}

TEST_F(DatasetFormats, OpenAiChatContentAsListOfParts) {
  std::string path = write_file(
      "parts.jsonl",
      R"({"messages": [{"role": "user", "content": [{"type": "text", "text": "look at"}, {"type": "image_url", "image_url": {"url": "https://example.com/x.png"}}, {"type": "text", "text": "this"}]}, {"role": "assistant", "content": null}]})"
      "\n");
  auto outcome = read_everything(path);
  ASSERT_TRUE(outcome.errors.empty()) << outcome.errors.front().to_string();
  ASSERT_EQ(outcome.records.size(), 1u);
  EXPECT_EQ(outcome.records[0].turns,
            (TurnList{{Role::kUser, "look at\nthis"}, {Role::kAssistant, ""}}));
}

// Joined part texts live in scratch strings; a short one (held inside the std::string object)
// must survive the scratch storage growing for later turns of the same record.
TEST_F(DatasetFormats, ShortJoinedPartsSurviveLaterTurnsOfTheSameRecord) {
  std::string record = R"({"messages": [)";
  TurnList expected;
  for (int i = 0; i < 12; ++i) {
    // Alternate short texts with 31-byte ones, whose heap blocks reuse freed scratch storage.
    std::string text = (i % 2 == 0) ? "t" + std::to_string(i) : std::string(31, 'a' + i);
    if (i > 0) record += ", ";
    record += R"({"role": ")" + std::string(i % 2 == 0 ? "user" : "assistant") +
              R"(", "content": [{"type": "text", "text": ")" + text + R"("}]})";
    expected.emplace_back(i % 2 == 0 ? Role::kUser : Role::kAssistant, text);
  }
  record += "]}\n";
  auto outcome = read_everything(write_file("many_parts.jsonl", record));
  ASSERT_TRUE(outcome.errors.empty()) << outcome.errors.front().to_string();
  ASSERT_EQ(outcome.records.size(), 1u);
  EXPECT_EQ(outcome.records[0].turns, expected);
}

TEST_F(DatasetFormats, ShareGptConversationsFromValue) {
  std::string path = write_file(
      "sharegpt.jsonl",
      R"({"conversations": [{"from": "system", "value": "sys"}, {"from": "human", "value": "q"}, {"from": "gpt", "value": "a"}]})"
      "\n");
  auto outcome = read_everything(path);
  ASSERT_TRUE(outcome.errors.empty()) << outcome.errors.front().to_string();
  EXPECT_EQ(outcome.format, DatasetFormat::kShareGpt);
  ASSERT_EQ(outcome.records.size(), 1u);
  EXPECT_EQ(outcome.records[0].turns,
            (TurnList{{Role::kSystem, "sys"}, {Role::kUser, "q"}, {Role::kAssistant, "a"}}));
}

TEST_F(DatasetFormats, AlpacaInstructionInputOutput) {
  std::string path = write_file(
      "alpaca.jsonl", R"({"instruction": "Translate", "input": "bonjour", "output": "hello"})"
                      "\n"
                      R"({"instruction": "Say hi", "input": "", "output": "hi"})"
                      "\n");
  auto outcome = read_everything(path);
  ASSERT_TRUE(outcome.errors.empty()) << outcome.errors.front().to_string();
  EXPECT_EQ(outcome.format, DatasetFormat::kAlpaca);
  ASSERT_EQ(outcome.records.size(), 2u);
  EXPECT_EQ(outcome.records[0].turns, (TurnList{{Role::kUser, "Translate"},
                                                {Role::kUser, "bonjour"},
                                                {Role::kAssistant, "hello"}}));
  // An empty input adds no turn.
  EXPECT_EQ(outcome.records[1].turns,
            (TurnList{{Role::kUser, "Say hi"}, {Role::kAssistant, "hi"}}));
}

TEST_F(DatasetFormats, PromptCompletion) {
  std::string path =
      write_file("pc.jsonl", R"({"prompt": "2+2=", "completion": "4", "system": "math"})"
                             "\n");
  auto outcome = read_everything(path);
  ASSERT_TRUE(outcome.errors.empty()) << outcome.errors.front().to_string();
  EXPECT_EQ(outcome.format, DatasetFormat::kPromptCompletion);
  ASSERT_EQ(outcome.records.size(), 1u);
  EXPECT_EQ(outcome.records[0].turns,
            (TurnList{{Role::kSystem, "math"}, {Role::kUser, "2+2="}, {Role::kAssistant, "4"}}));
}

TEST_F(DatasetFormats, RawText) {
  std::string path = write_file("text.jsonl", R"({"text": "once upon a time", "meta": {"id": 1}})"
                                              "\n");
  auto outcome = read_everything(path);
  ASSERT_TRUE(outcome.errors.empty()) << outcome.errors.front().to_string();
  EXPECT_EQ(outcome.format, DatasetFormat::kText);
  ASSERT_EQ(outcome.records.size(), 1u);
  EXPECT_EQ(outcome.records[0].turns, (TurnList{{Role::kText, "once upon a time"}}));
}

// A dataset of `count` chat records, each about 200 bytes, numbered so any loss shows.
std::string numbered_chat_dataset(int count) {
  std::string data;
  for (int i = 0; i < count; ++i) {
    data +=
        R"({"messages": [{"role": "user", "content": "question )" + std::to_string(i) +
        R"( with some padding to make the record longer than a few bytes"}, {"role": "assistant", "content": "answer )" +
        std::to_string(i) +
        R"("}]})"
        "\n";
  }
  return data;
}

void expect_numbered_records(const testing::ReadOutcome& outcome, int count) {
  ASSERT_TRUE(outcome.errors.empty()) << outcome.errors.front().to_string();
  ASSERT_EQ(outcome.records.size(), static_cast<size_t>(count));
  uint64_t offset = 0;
  for (int i = 0; i < count; ++i) {
    const OwnedRecord& record = outcome.records[i];
    EXPECT_EQ(record.line, static_cast<uint64_t>(i + 1));
    EXPECT_EQ(record.offset, offset) << "line " << record.line;
    ASSERT_EQ(record.turns.size(), 2u);
    EXPECT_EQ(record.turns[1].second, "answer " + std::to_string(i));
    // Each line is the two turn texts plus a fixed frame; recompute its length for the offset.
    offset +=
        std::string(
            R"({"messages": [{"role": "user", "content": ""}, {"role": "assistant", "content": ""}]})")
            .size() +
        record.turns[0].second.size() + record.turns[1].second.size() + 1;
  }
}

TEST_F(DatasetFormats, PlainGzipAndZstdGiveTheSameRecords) {
  // ~2 MiB decompressed: several read chunks, so streaming across chunk edges is exercised.
  const int count = 15'000;
  std::string data = numbered_chat_dataset(count);
  ASSERT_GT(data.size(), 2u << 20);

  auto plain = read_everything(write_file("d.jsonl", data));
  EXPECT_EQ(plain.compression, Compression::kNone);
  expect_numbered_records(plain, count);

  auto gz = read_everything(write_file("d.jsonl.gz", gzip_compress(data)));
  EXPECT_EQ(gz.compression, Compression::kGzip);
  expect_numbered_records(gz, count);

  auto zst = read_everything(write_file("d.jsonl.zst", zstd_compress(data)));
  EXPECT_EQ(zst.compression, Compression::kZstd);
  expect_numbered_records(zst, count);

  auto zst_checksum = read_everything(write_file("c.jsonl.zst", zstd_compress(data, true)));
  expect_numbered_records(zst_checksum, count);
}

TEST_F(DatasetFormats, CompressionIsChosenByMagicBytesNotByName) {
  std::string data = numbered_chat_dataset(3);
  auto gz = read_everything(write_file("looks_plain.jsonl", gzip_compress(data)));
  EXPECT_EQ(gz.compression, Compression::kGzip);
  expect_numbered_records(gz, 3);
  auto plain = read_everything(write_file("looks_compressed.jsonl.zst", data));
  EXPECT_EQ(plain.compression, Compression::kNone);
  expect_numbered_records(plain, 3);
}

TEST_F(DatasetFormats, ConcatenatedGzipMembersAreOneStream) {
  std::string first = numbered_chat_dataset(2);
  std::string all = numbered_chat_dataset(4);
  std::string second = all.substr(first.size());
  auto outcome =
      read_everything(write_file("cat.jsonl.gz", gzip_compress(first) + gzip_compress(second)));
  expect_numbered_records(outcome, 4);
}

TEST_F(DatasetFormats, ConcatenatedZstdFramesAreOneStream) {
  std::string first = numbered_chat_dataset(2);
  std::string all = numbered_chat_dataset(4);
  std::string second = all.substr(first.size());
  auto outcome = read_everything(
      write_file("cat.jsonl.zst", zstd_compress(first) + zstd_compress(second, true)));
  expect_numbered_records(outcome, 4);
}

TEST_F(DatasetFormats, CrlfLineEndingsAreStripped) {
  std::string path = write_file("crlf.jsonl",
                                "{\"prompt\": \"a\", \"completion\": \"b\"}\r\n\r\n{\"prompt\": "
                                "\"c\", \"completion\": \"d\"}\r\n");
  auto outcome = read_everything(path);
  ASSERT_TRUE(outcome.errors.empty()) << outcome.errors.front().to_string();
  ASSERT_EQ(outcome.records.size(), 2u);
  EXPECT_EQ(outcome.records[0].turns, (TurnList{{Role::kUser, "a"}, {Role::kAssistant, "b"}}));
  // The blank CRLF line counts as a line.
  EXPECT_EQ(outcome.records[1].line, 3u);
  EXPECT_EQ(outcome.records[1].offset, 38u);
  EXPECT_EQ(outcome.records[1].turns, (TurnList{{Role::kUser, "c"}, {Role::kAssistant, "d"}}));
}

TEST_F(DatasetFormats, LastLineWithoutNewlineIsRead) {
  std::string data = "{\"text\": \"one\"}\n{\"text\": \"two\"}";
  for (const auto& [name, bytes] :
       {std::pair{"nonl.jsonl", data}, std::pair{"nonl.jsonl.gz", gzip_compress(data)},
        std::pair{"nonl.jsonl.zst", zstd_compress(data)}}) {
    auto outcome = read_everything(write_file(name, bytes));
    ASSERT_TRUE(outcome.errors.empty()) << name << ": " << outcome.errors.front().to_string();
    ASSERT_EQ(outcome.records.size(), 2u) << name;
    EXPECT_EQ(outcome.records[1].line, 2u) << name;
    EXPECT_EQ(outcome.records[1].offset, 16u) << name;
    EXPECT_EQ(outcome.records[1].turns, (TurnList{{Role::kText, "two"}})) << name;
  }
}

TEST_F(DatasetFormats, Utf8ByteOrderMarkAtTheStartIsSkipped) {
  auto outcome = read_everything(
      write_file("bom.jsonl", "\xEF\xBB\xBF{\"text\": \"hi\"}\n{\"text\": \"yo\"}\n"));
  ASSERT_TRUE(outcome.errors.empty()) << outcome.errors.front().to_string();
  ASSERT_EQ(outcome.records.size(), 2u);
  EXPECT_EQ(outcome.records[0].turns, (TurnList{{Role::kText, "hi"}}));
  EXPECT_EQ(outcome.records[1].offset, 18u);  // the BOM still counts in offsets
}

TEST_F(DatasetFormats, RecordLongerThanTheReadChunkUnderALargerLimit) {
  // 3 MiB of text in one record: the reader's 1 MiB chunks must be joined, not split.
  const std::string long_text(3u << 20, 'x');
  std::string data =
      "{\"text\": \"short\"}\n{\"text\": \"" + long_text + "\"}\n{\"text\": \"after\"}\n";
  ReaderOptions options;
  options.max_record_bytes = 8u << 20;
  for (const auto& [name, bytes] :
       {std::pair{"long.jsonl", data}, std::pair{"long.jsonl.gz", gzip_compress(data)},
        std::pair{"long.jsonl.zst", zstd_compress(data)}}) {
    auto outcome = read_everything(write_file(name, bytes), options);
    ASSERT_TRUE(outcome.errors.empty()) << name << ": " << outcome.errors.front().to_string();
    ASSERT_EQ(outcome.records.size(), 3u) << name;
    ASSERT_EQ(outcome.records[1].turns.size(), 1u);
    EXPECT_EQ(outcome.records[1].turns[0].second.size(), long_text.size()) << name;
    EXPECT_EQ(outcome.records[1].turns[0].second, long_text) << name;
    EXPECT_EQ(outcome.records[2].line, 3u) << name;
    EXPECT_EQ(outcome.records[2].offset, 18u + 12u + long_text.size() + 1u) << name;
    EXPECT_EQ(outcome.records[2].turns, (TurnList{{Role::kText, "after"}})) << name;
  }
}

}  // namespace
}  // namespace alignwatch::dataset
