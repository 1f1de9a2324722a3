// The dataset reader on bad input. Every case asserts the StatusCode and the location (file and
// line, and the byte offset where the reader knows it), and, for bad records, that reading goes
// on with the next good record. Text defects are handcrafted files in
// tests/data/malformed/jsonl/; binary and compressed ones are made here from valid data.

#include <algorithm>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "dataset_test_util.h"

namespace alignwatch::dataset {
namespace {

using testing::gzip_compress;
using testing::malformed_path;
using testing::read_everything;
using testing::ReadOutcome;
using testing::zstd_compress;

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Byte offset of each line (1-based index: offsets[1] is line 1) of `data`.
std::vector<uint64_t> line_offsets(std::string_view data) {
  std::vector<uint64_t> offsets{0, 0};
  for (size_t i = 0; i < data.size(); ++i) {
    if (data[i] == '\n') offsets.push_back(i + 1);
  }
  return offsets;
}

std::vector<uint64_t> record_lines(const ReadOutcome& outcome) {
  std::vector<uint64_t> lines;
  for (const auto& r : outcome.records) lines.push_back(r.line);
  return lines;
}

// Asserts one error's code and location; `line` 0 means "no line" (a whole-file problem).
void expect_error_at(const Status& error, StatusCode code, const std::string& file, uint64_t line,
                     std::string_view message_part) {
  EXPECT_EQ(error.code(), code) << error.to_string();
  EXPECT_EQ(error.location().file, file) << error.to_string();
  EXPECT_EQ(error.location().line, line) << error.to_string();
  EXPECT_NE(error.message().find(message_part), std::string::npos)
      << "'" << error.message() << "' lacks '" << message_part << "'";
}

class MalformedDataset : public testing::TempDirTest {};

TEST_F(MalformedDataset, MalformedJsonLineNamesFileAndLineAndReadingGoesOn) {
  const std::string path = malformed_path("malformed_json.jsonl");
  auto offsets = line_offsets(slurp(path));
  auto outcome = read_everything(path);
  EXPECT_FALSE(outcome.failed);
  EXPECT_EQ(record_lines(outcome), (std::vector<uint64_t>{1, 3}));
  ASSERT_EQ(outcome.errors.size(), 1u);
  const Status& error = outcome.errors[0];
  expect_error_at(error, StatusCode::kInvalidArgument, path, 2, "malformed record: invalid JSON");
  EXPECT_TRUE(error.location().has_offset);
  EXPECT_EQ(error.location().offset, offsets[2]);
  EXPECT_EQ(error.to_string().rfind(path + ":2: ", 0), 0u) << error.to_string();
  EXPECT_EQ(outcome.records[1].turns[0].second, "third");
}

TEST_F(MalformedDataset, RecordsOfTheWrongShapeAreEachReportedWithTheirLine) {
  const std::string path = malformed_path("wrong_shape.jsonl");
  auto offsets = line_offsets(slurp(path));
  auto outcome = read_everything(path);
  EXPECT_FALSE(outcome.failed);
  EXPECT_EQ(record_lines(outcome), (std::vector<uint64_t>{1, 8}));
  const std::vector<std::pair<uint64_t, std::string>> expected = {
      {2, "messages: expected a list of turns"},
      {3, "turn 0: missing 'content'"},
      {4, "turn 0: unknown role 'wizard'"},
      {5, "turn 0: content: expected a string or a list of parts"},
      {6, "expected a JSON object"},
      {7, "trailing characters after the JSON object"},
  };
  ASSERT_EQ(outcome.errors.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    const auto& [line, what] = expected[i];
    expect_error_at(outcome.errors[i], StatusCode::kInvalidArgument, path, line, what);
    EXPECT_EQ(outcome.errors[i].location().offset, offsets[line]) << "line " << line;
  }
}

TEST_F(MalformedDataset, UnknownFormatIsUnsupportedAtLineOne) {
  const std::string path = malformed_path("unknown_format.jsonl");
  auto outcome = read_everything(path);
  EXPECT_TRUE(outcome.records.empty());
  EXPECT_FALSE(outcome.format.has_value());
  ASSERT_EQ(outcome.errors.size(), 1u);
  expect_error_at(outcome.errors[0], StatusCode::kUnsupported, path, 1, "unknown dataset format");
  EXPECT_EQ(outcome.errors[0].location().offset, 0u);
}

TEST_F(MalformedDataset, MixedFormatsNameTheFormatOfTheFirstRecord) {
  const std::string path = malformed_path("mixed_formats.jsonl");
  auto outcome = read_everything(path);
  EXPECT_EQ(outcome.format, DatasetFormat::kOpenAiChat);
  EXPECT_EQ(record_lines(outcome), (std::vector<uint64_t>{1, 3}));
  ASSERT_EQ(outcome.errors.size(), 1u);
  expect_error_at(outcome.errors[0], StatusCode::kInvalidArgument, path, 2,
                  "expected 'messages' (openai-chat format, detected from the first record), "
                  "got alpaca keys");
}

TEST_F(MalformedDataset, EmptyFileIsRefusedAsAWhole) {
  const std::string path = malformed_path("empty.jsonl");
  auto outcome = read_everything(path);
  EXPECT_TRUE(outcome.failed);
  EXPECT_TRUE(outcome.records.empty());
  ASSERT_EQ(outcome.errors.size(), 1u);
  expect_error_at(outcome.errors[0], StatusCode::kInvalidArgument, path, 0,
                  "empty dataset: expected JSON Lines records, got an empty file");
}

TEST_F(MalformedDataset, FileOfBlankLinesIsRefusedAsAWhole) {
  const std::string path = malformed_path("blank_lines_only.jsonl");
  auto outcome = read_everything(path);
  EXPECT_TRUE(outcome.failed);
  ASSERT_EQ(outcome.errors.size(), 1u);
  expect_error_at(outcome.errors[0], StatusCode::kInvalidArgument, path, 0, "got only blank lines");
}

TEST_F(MalformedDataset, MissingFileIsNotFound) {
  const std::string path = (dir_ / "does-not-exist.jsonl").string();
  auto opened = DatasetReader::open(path, {});
  ASSERT_FALSE(opened.has_value());
  expect_error_at(opened.error(), StatusCode::kNotFound, path, 0, "cannot open dataset");
}

TEST_F(MalformedDataset, DirectoryIsRefused) {
  const std::string path = dir_.string();
  auto opened = DatasetReader::open(path, {});
  ASSERT_FALSE(opened.has_value());
  expect_error_at(opened.error(), StatusCode::kInvalidArgument, path, 0,
                  "cannot scan: expected a regular file, got a directory");
}

TEST_F(MalformedDataset, PngHeaderIsBinaryDataAtByteZero) {
  const std::string png("\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0", 29);
  const std::string path = write_file("image.jsonl", png);
  auto outcome = read_everything(path);
  EXPECT_TRUE(outcome.failed);
  EXPECT_TRUE(outcome.records.empty());
  ASSERT_EQ(outcome.errors.size(), 1u);
  expect_error_at(outcome.errors[0], StatusCode::kInvalidArgument, path, 1,
                  "binary data: expected UTF-8 JSON Lines, got invalid UTF-8 at byte 0");
  EXPECT_EQ(outcome.errors[0].location().offset, 0u);
}

TEST_F(MalformedDataset, RandomBytesAreBinaryData) {
  std::mt19937 rng(1234);
  std::string noise(4096, '\0');
  for (char& c : noise) c = static_cast<char>(rng() & 0xff);
  // Not a compression magic by chance: this case is about raw garbage.
  ASSERT_NE(noise.substr(0, 2), "\x1f\x8b");
  const std::string path = write_file("noise.jsonl", noise);
  auto outcome = read_everything(path);
  EXPECT_TRUE(outcome.failed);
  EXPECT_TRUE(outcome.records.empty());
  ASSERT_EQ(outcome.errors.size(), 1u);
  const Status& error = outcome.errors[0];
  EXPECT_EQ(error.code(), StatusCode::kInvalidArgument) << error.to_string();
  EXPECT_EQ(error.location().file, path);
  // The line holding the first bad byte: one more than the newlines before it.
  const uint64_t bad = error.location().offset;
  ASSERT_LT(bad, noise.size());
  uint64_t newlines = 0;
  for (uint64_t i = 0; i < bad; ++i) newlines += noise[i] == '\n';
  EXPECT_EQ(error.location().line, newlines + 1) << error.to_string();
  EXPECT_NE(error.message().find("binary data"), std::string::npos) << error.to_string();
}

// Within the first 64 KiB a NUL byte marks the whole file as binary (a model, an archive):
// the stream is refused at the line and column of that byte rather than read record by record.
TEST_F(MalformedDataset, NulByteNearTheStartRefusesTheFileAtItsLine) {
  // Built in pieces: a NUL inside a string literal would end it.
  const std::string data =
      std::string("{\"text\": \"a\"}\n{\"text\": \"b") + '\0' + "c\"}\n{\"text\": \"d\"}\n";
  const std::string path = write_file("nul.jsonl", data);
  auto outcome = read_everything(path);
  EXPECT_TRUE(outcome.failed);
  EXPECT_TRUE(outcome.records.empty());
  ASSERT_EQ(outcome.errors.size(), 1u);
  expect_error_at(outcome.errors[0], StatusCode::kInvalidArgument, path, 2,
                  "binary data: expected UTF-8 JSON Lines, got a NUL byte at byte 25");
  EXPECT_EQ(outcome.errors[0].location().column, 12u);
  EXPECT_EQ(outcome.errors[0].location().offset, 25u);
}

// Past the first 64 KiB a NUL byte is one bad record, and reading goes on.
TEST_F(MalformedDataset, NulByteLateInTheFileIsABadRecord) {
  std::string data;
  while (data.size() < 100'000) data += "{\"text\": \"filler line\"}\n";
  const uint64_t bad_line = std::count(data.begin(), data.end(), '\n') + 1;
  data += std::string("{\"text\": \"b") + '\0' + "c\"}\n{\"text\": \"after\"}\n";
  const std::string path = write_file("late_nul.jsonl", data);
  auto outcome = read_everything(path);
  EXPECT_FALSE(outcome.failed);
  ASSERT_EQ(outcome.errors.size(), 1u);
  expect_error_at(outcome.errors[0], StatusCode::kInvalidArgument, path, bad_line,
                  "malformed record: binary data (a NUL byte) in a text line");
  ASSERT_FALSE(outcome.records.empty());
  EXPECT_EQ(outcome.records.back().line, bad_line + 1);
  EXPECT_EQ(outcome.records.back().turns.at(0).second, "after");
}

TEST_F(MalformedDataset, InvalidUtf8LateInTheFileIsABadRecord) {
  // Past the reader's binary sniffing window (64 KiB), so the JSON parser has to catch it.
  std::string data;
  while (data.size() < 100'000) data += "{\"text\": \"filler line\"}\n";
  const uint64_t bad_line = std::count(data.begin(), data.end(), '\n') + 1;
  data += "{\"text\": \"bad \xC3\x28 byte\"}\n{\"text\": \"after\"}\n";
  const std::string path = write_file("late_utf8.jsonl", data);
  auto outcome = read_everything(path);
  EXPECT_FALSE(outcome.failed);
  ASSERT_EQ(outcome.errors.size(), 1u);
  expect_error_at(outcome.errors[0], StatusCode::kInvalidArgument, path, bad_line,
                  "malformed record: invalid JSON");
  ASSERT_FALSE(outcome.records.empty());
  EXPECT_EQ(outcome.records.back().line, bad_line + 1);
}

// A valid compressed dataset of `count` numbered records, and its decompressed text.
struct Compressed {
  std::string text;
  std::string bytes;
};

Compressed numbered(int count, bool zstd) {
  Compressed c;
  for (int i = 0; i < count; ++i) {
    c.text += "{\"prompt\": \"record " + std::to_string(i) + " " +
              std::to_string(i * 7919 % 104729) + "\", \"completion\": \"value " +
              std::to_string(i * 31 % 997) + "\"}\n";
  }
  c.bytes = zstd ? zstd_compress(c.text) : gzip_compress(c.text);
  return c;
}

// A stream cut short: the records before the cut are intact and numbered, then a kCorruption
// error names the file and the line that was being read, and the reader stops.
void expect_truncated_stream(const ReadOutcome& outcome, const std::string& path,
                             std::string_view what) {
  EXPECT_TRUE(outcome.failed);
  ASSERT_EQ(outcome.errors.size(), 1u);
  expect_error_at(outcome.errors[0], StatusCode::kCorruption, path, outcome.records.size() + 1,
                  what);
  for (size_t i = 0; i < outcome.records.size(); ++i) {
    ASSERT_EQ(outcome.records[i].line, i + 1);
    ASSERT_EQ(outcome.records[i].turns.at(0).second.rfind("record " + std::to_string(i) + " ", 0),
              0u);
  }
}

TEST_F(MalformedDataset, TruncatedGzipIsCorruptionAtTheLineBeingRead) {
  Compressed c = numbered(20'000, /*zstd=*/false);
  const std::string path = write_file("cut.jsonl.gz", c.bytes.substr(0, c.bytes.size() / 2));
  auto outcome = read_everything(path);
  EXPECT_EQ(outcome.compression, Compression::kGzip);
  expect_truncated_stream(outcome, path, "truncated gzip stream");
  EXPECT_GT(outcome.records.size(), 1000u);
}

TEST_F(MalformedDataset, TruncatedZstdIsCorruptionAtTheLineBeingRead) {
  Compressed c = numbered(20'000, /*zstd=*/true);
  const std::string path = write_file("cut.jsonl.zst", c.bytes.substr(0, c.bytes.size() / 2));
  auto outcome = read_everything(path);
  EXPECT_EQ(outcome.compression, Compression::kZstd);
  expect_truncated_stream(outcome, path, "truncated zstd stream");
  EXPECT_GT(outcome.records.size(), 1000u);
}

TEST_F(MalformedDataset, GzipOrZstdMagicAloneIsTruncated) {
  const std::string gz = write_file("magic.jsonl.gz", "\x1f\x8b");
  expect_truncated_stream(read_everything(gz), gz, "truncated gzip stream");
  const std::string zst = write_file("magic.jsonl.zst", "\x28\xb5\x2f\xfd");
  expect_truncated_stream(read_everything(zst), zst, "truncated zstd stream");
}

// Damage in the middle of a stream. gzip always carries a CRC; zstd is made with the checksum the
// zstd CLI writes by default, without which damaged literals can decode silently.
TEST_F(MalformedDataset, CorruptGzipAndZstdAreCorruption) {
  for (bool zstd : {false, true}) {
    Compressed c = numbered(5'000, zstd);
    std::string bytes = zstd ? zstd_compress(c.text, /*with_checksum=*/true) : c.bytes;
    for (size_t i = bytes.size() / 2; i < bytes.size() / 2 + 64; ++i)
      bytes[i] = static_cast<char>(~bytes[i]);
    const std::string path = write_file(zstd ? "bad.jsonl.zst" : "bad.jsonl.gz", bytes);
    auto outcome = read_everything(path);
    EXPECT_TRUE(outcome.failed) << path;
    ASSERT_FALSE(outcome.errors.empty()) << path;
    const Status& last = outcome.errors.back();
    EXPECT_EQ(last.code(), StatusCode::kCorruption) << last.to_string();
    EXPECT_EQ(last.location().file, path);
    EXPECT_GE(last.location().line, 1u) << last.to_string();
  }
}

TEST_F(MalformedDataset, LineOverTheRecordLimitIsRefusedAndReadingGoesOn) {
  const std::string data = "{\"text\": \"small\"}\n{\"text\": \"" + std::string(5000, 'y') +
                           "\"}\n{\"text\": \"after\"}\n";
  const std::string path = write_file("big_line.jsonl", data);
  auto offsets = line_offsets(data);
  ReaderOptions options;
  options.max_record_bytes = 1000;
  auto outcome = read_everything(path, options);
  EXPECT_FALSE(outcome.failed);
  EXPECT_EQ(record_lines(outcome), (std::vector<uint64_t>{1, 3}));
  ASSERT_EQ(outcome.errors.size(), 1u);
  expect_error_at(outcome.errors[0], StatusCode::kResourceExhausted, path, 2,
                  "record too large: expected at most 1000 bytes");
  EXPECT_EQ(outcome.errors[0].location().offset, offsets[2]);
  EXPECT_EQ(outcome.records[1].offset, offsets[3]);
}

TEST_F(MalformedDataset, LineOverTheRecordLimitSpanningManyChunksKeepsItsOffset) {
  // 4 MiB against a 1.5 MiB limit: the reader drops the line's head while reading its tail.
  const std::string data = "{\"text\": \"small\"}\n{\"text\": \"" + std::string(4u << 20, 'z') +
                           "\"}\n{\"text\": \"after\"}\n";
  auto offsets = line_offsets(data);
  ReaderOptions options;
  options.max_record_bytes = 3u << 19;
  for (const auto& [name, bytes] :
       {std::pair{"huge.jsonl", data}, std::pair{"huge.jsonl.zst", zstd_compress(data)}}) {
    const std::string path = write_file(name, bytes);
    auto outcome = read_everything(path, options);
    EXPECT_FALSE(outcome.failed) << name;
    EXPECT_EQ(record_lines(outcome), (std::vector<uint64_t>{1, 3})) << name;
    ASSERT_EQ(outcome.errors.size(), 1u) << name;
    expect_error_at(outcome.errors[0], StatusCode::kResourceExhausted, path, 2, "record too large");
    EXPECT_EQ(outcome.errors[0].location().offset, offsets[2]) << name;
    ASSERT_EQ(outcome.records.size(), 2u);
    EXPECT_EQ(outcome.records[1].offset, offsets[3]) << name;
  }
}

TEST_F(MalformedDataset, OversizedLastLineWithoutNewlineIsOneErrorAndTheEnd) {
  // A line that fits in the reader's buffer, and one whose head is dropped while reading on.
  for (const auto& [size, limit] :
       {std::pair<size_t, uint64_t>{5000, 1000}, std::pair<size_t, uint64_t>{3u << 20, 3u << 19}}) {
    ReaderOptions options;
    options.max_record_bytes = limit;
    const std::string data =
        "{\"text\": \"small\"}\n{\"text\": \"" + std::string(size, 'w') + "\"}";
    const std::string path = write_file("tail.jsonl", data);
    auto outcome = read_everything(path, options);
    EXPECT_FALSE(outcome.failed) << size;
    EXPECT_EQ(record_lines(outcome), (std::vector<uint64_t>{1})) << size;
    ASSERT_EQ(outcome.errors.size(), 1u) << size << ": " << outcome.errors.back().to_string();
    expect_error_at(outcome.errors[0], StatusCode::kResourceExhausted, path, 2, "record too large");
    EXPECT_EQ(outcome.errors[0].location().offset, 18u) << size;
  }
}

}  // namespace
}  // namespace alignwatch::dataset
