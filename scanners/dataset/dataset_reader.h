#pragma once
// Streaming reader of instruction/chat datasets in JSON Lines: one record at a time, memory
// bounded by the longest allowed record whatever the file size.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/status.h"
#include "scanners/dataset/byte_source.h"
#include "scanners/dataset/record.h"

namespace alignwatch::dataset {

struct ReaderOptions {
  // A line longer than this is refused (and skipped when the caller continues).
  uint64_t max_record_bytes = 16ull << 20;
};

class DatasetReader {
 public:
  // Opens `path` (plain, .gz or .zst by magic bytes). Missing files, directories and devices
  // are refused here; an empty file is refused on the first call to next().
  static Result<std::unique_ptr<DatasetReader>> open(const std::string& path,
                                                     const ReaderOptions& options);
  ~DatasetReader();

  // Reads the next record into `record`. Returns true when one was read, false at the end.
  // Errors come in two kinds:
  //  - a bad record (malformed JSON, wrong shape, oversized line, binary bytes): kInvalidArgument
  //    or kResourceExhausted with the file and line; the reader has moved past that line, so
  //    the caller may go on (--skip-bad-records);
  //  - a bad stream (truncated or corrupt compression, binary file, empty file, I/O error):
  //    failed() is true and further calls return false.
  // `record` and the string_views in it stay valid until the next call.
  Result<bool> next(Record& record);

  bool failed() const { return failed_; }
  // The format detected from the first record; empty before it has been read.
  std::optional<DatasetFormat> format() const { return format_; }
  Compression compression() const;
  const std::string& path() const { return path_; }
  uint64_t bytes_read() const { return stream_offset_; }
  uint64_t file_bytes_read() const;
  uint64_t lines_read() const { return line_number_; }

 private:
  DatasetReader(std::string path, std::unique_ptr<ByteSource> source, const ReaderOptions& options);
  struct Parser;

  Result<bool> next_line(std::string_view& line, uint64_t& line_offset);
  Result<bool> fill();
  Status parse_line(std::string_view line, Record& record);
  Status fail(Status status);

  std::string path_;
  std::unique_ptr<ByteSource> source_;
  ReaderOptions options_;
  std::unique_ptr<Parser> parser_;
  std::string buffer_;  // holds [begin_, end_) plus simdjson's padding after end_
  size_t begin_ = 0;
  size_t end_ = 0;
  bool eof_ = false;
  bool failed_ = false;
  bool saw_content_ = false;
  bool checked_binary_ = false;
  uint64_t line_number_ = 0;
  uint64_t stream_offset_ = 0;  // decompressed bytes before buffer_[begin_]
  std::optional<DatasetFormat> format_;
};

}  // namespace alignwatch::dataset
