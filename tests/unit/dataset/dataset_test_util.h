#pragma once
// Helpers for the dataset reader tests: a private temporary directory, writers for plain, gzip
// and zstd files (through the zlib and zstd APIs, so the tests need no CLI tools), and a loop
// that reads a whole file the way `--skip-bad-records` does, keeping records and errors.

#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "scanners/dataset/dataset_reader.h"

namespace alignwatch::dataset::testing {

// A record copied out of the reader (its string_views die on the next call).
struct OwnedRecord {
  uint64_t line = 0;
  uint64_t offset = 0;
  std::vector<std::pair<Role, std::string>> turns;
};

inline OwnedRecord copy_record(const Record& record) {
  OwnedRecord out{record.line, record.offset, {}};
  for (const Turn& turn : record.turns)
    out.turns.emplace_back(turn.role, std::string(turn.content));
  return out;
}

// Everything a reader produced for one file, in order.
struct ReadOutcome {
  std::vector<OwnedRecord> records;
  std::vector<Status> errors;  // record errors and, last, the stream error if any
  bool failed = false;         // the reader gave up on the stream
  std::optional<DatasetFormat> format;
  Compression compression = Compression::kNone;
};

// Reads `path` to its end, going on after record errors. A reader that neither advances nor
// ends within `max_calls` calls is a bug: the loop stops so the test fails instead of hanging.
inline ReadOutcome read_everything(const std::string& path, ReaderOptions options = {},
                                   size_t max_calls = 1'000'000) {
  ReadOutcome outcome;
  auto opened = DatasetReader::open(path, options);
  if (!opened) {
    outcome.errors.push_back(opened.error());
    outcome.failed = true;
    return outcome;
  }
  DatasetReader& reader = **opened;
  outcome.compression = reader.compression();
  Record record;
  for (size_t calls = 0; calls < max_calls; ++calls) {
    auto next = reader.next(record);
    if (!next) {
      outcome.errors.push_back(next.error());
      if (reader.failed()) break;
      continue;
    }
    if (!*next) break;
    outcome.records.push_back(copy_record(record));
  }
  outcome.failed = reader.failed();
  outcome.format = reader.format();
  return outcome;
}

inline std::string gzip_compress(std::string_view data) {
  z_stream stream{};
  // 15 + 16: a zlib window with a gzip header and trailer.
  EXPECT_EQ(
      deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY),
      Z_OK);
  std::string out(deflateBound(&stream, data.size()) + 32, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&stream, Z_FINISH), Z_STREAM_END);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

// A zstd frame; `with_checksum` adds the 4-byte content checksum the zstd CLI writes by default
// (the plain API call does not), which changes where the decoder runs out of input.
inline std::string zstd_compress(std::string_view data, bool with_checksum = false) {
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, 3);
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, with_checksum ? 1 : 0);
  std::string out(ZSTD_compressBound(data.size()), '\0');
  size_t n = ZSTD_compress2(cctx, out.data(), out.size(), data.data(), data.size());
  ZSTD_freeCCtx(cctx);
  EXPECT_FALSE(ZSTD_isError(n)) << ZSTD_getErrorName(n);
  out.resize(ZSTD_isError(n) ? 0 : n);
  return out;
}

// A fresh directory under $TMPDIR per test, removed afterwards.
class TempDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "aw-dataset-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  std::string write_file(const std::string& name, std::string_view bytes) {
    std::string path = (dir_ / name).string();
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    EXPECT_TRUE(out.good()) << path;
    return path;
  }

  std::filesystem::path dir_;
};

// Where the handcrafted bad inputs live.
inline std::string malformed_path(const std::string& name) {
  return std::string(ALIGNWATCH_SOURCE_DIR) + "/tests/data/malformed/jsonl/" + name;
}

}  // namespace alignwatch::dataset::testing
