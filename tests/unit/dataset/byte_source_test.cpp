// The byte sources under the dataset reader: decoding by magic bytes, reads of any size, byte
// accounting, and errors that name the file.

#include <string>

#include "dataset_test_util.h"

namespace alignwatch::dataset {
namespace {

using testing::gzip_compress;
using testing::zstd_compress;

class ByteSources : public testing::TempDirTest {};

// Reads `path` through a ByteSource `capacity` bytes at a time.
Result<std::string> read_all(const std::string& path, size_t capacity,
                             uint64_t* file_bytes = nullptr) {
  AW_ASSIGN_OR_RETURN(auto source, open_byte_source(path));
  std::string out;
  std::string buffer(capacity, '\0');
  for (;;) {
    AW_ASSIGN_OR_RETURN(size_t n, source->read(buffer.data(), buffer.size()));
    if (n == 0) break;
    out.append(buffer.data(), n);
  }
  if (file_bytes != nullptr) *file_bytes = source->file_bytes_read();
  return out;
}

std::string sample_text() {
  std::string text;
  for (int i = 0; i < 20'000; ++i)
    text += "{\"text\": \"line " + std::to_string(i * 2654435761u) + "\"}\n";
  return text;
}

// Small reads leave decoded bytes waiting inside the decoder after the compressed input is used
// up; they must still come out, and not be mistaken for a truncated stream.
TEST_F(ByteSources, SmallReadsDrainEveryDecoder) {
  const std::string text = sample_text();
  const std::vector<std::pair<std::string, std::string>> files = {
      {"t.jsonl", text},
      {"t.jsonl.gz", gzip_compress(text)},
      {"t.jsonl.zst", zstd_compress(text, /*with_checksum=*/false)},
      {"c.jsonl.zst", zstd_compress(text, /*with_checksum=*/true)},
  };
  for (const auto& [name, bytes] : files) {
    const std::string path = write_file(name, bytes);
    for (size_t capacity : {size_t{1}, size_t{7}, size_t{4096}, size_t{1} << 20}) {
      auto got = read_all(path, capacity);
      ASSERT_TRUE(got.has_value())
          << name << " capacity " << capacity << ": " << got.error().to_string();
      EXPECT_EQ(got->size(), text.size()) << name << " capacity " << capacity;
      EXPECT_TRUE(*got == text) << name << " capacity " << capacity;
    }
  }
}

TEST_F(ByteSources, FileBytesReadCountsTheWholeFile) {
  const std::string text = sample_text();
  for (const auto& [name, bytes] :
       {std::pair{"a.jsonl", text}, std::pair{"a.jsonl.gz", gzip_compress(text)},
        std::pair{"a.jsonl.zst", zstd_compress(text)},
        std::pair{"tiny.jsonl", std::string("{}")}}) {
    uint64_t file_bytes = 0;
    auto got = read_all(write_file(name, bytes), 64 * 1024, &file_bytes);
    ASSERT_TRUE(got.has_value()) << got.error().to_string();
    EXPECT_EQ(file_bytes, bytes.size()) << name;
  }
}

TEST_F(ByteSources, EmptyFileIsAnEmptyPlainStream) {
  const std::string path = write_file("empty.jsonl", "");
  auto source = open_byte_source(path);
  ASSERT_TRUE(source.has_value()) << source.error().to_string();
  EXPECT_EQ((*source)->compression(), Compression::kNone);
  char buffer[16];
  auto n = (*source)->read(buffer, sizeof(buffer));
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(*n, 0u);
}

TEST_F(ByteSources, OpenErrorsNameTheFile) {
  const std::string missing = (dir_ / "missing.jsonl").string();
  auto not_found = open_byte_source(missing);
  ASSERT_FALSE(not_found.has_value());
  EXPECT_EQ(not_found.error().code(), StatusCode::kNotFound);
  EXPECT_EQ(not_found.error().location().file, missing);
  EXPECT_EQ(not_found.error().to_string(),
            missing + ": cannot open dataset: No such file or directory");

  auto directory = open_byte_source(dir_.string());
  ASSERT_FALSE(directory.has_value());
  EXPECT_EQ(directory.error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(directory.error().location().file, dir_.string());
  EXPECT_EQ(directory.error().message(),
            "cannot scan: expected a regular file, got a directory (directories, devices, pipes "
            "and sockets are refused)");

  auto device = open_byte_source("/dev/null");
  ASSERT_FALSE(device.has_value());
  EXPECT_EQ(device.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(device.error().message().find("got a device"), std::string::npos);
}

TEST_F(ByteSources, TruncatedStreamsAreCorruptionNamingTheFile) {
  const std::string text = sample_text();
  for (const auto& [name, bytes] :
       {std::pair{"cut.gz", gzip_compress(text)}, std::pair{"cut.zst", zstd_compress(text)}}) {
    const std::string path = write_file(name, bytes.substr(0, bytes.size() - 10));
    auto got = read_all(path, 1 << 16);
    ASSERT_FALSE(got.has_value()) << name;
    EXPECT_EQ(got.error().code(), StatusCode::kCorruption) << got.error().to_string();
    EXPECT_EQ(got.error().location().file, path);
    EXPECT_NE(got.error().message().find("truncated"), std::string::npos)
        << got.error().to_string();
  }
}

}  // namespace
}  // namespace alignwatch::dataset
