#pragma once
// Sequential byte streams over a file: plain, gzip or zstd, chosen by the file's magic bytes.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

namespace alignwatch::dataset {

enum class Compression { kNone, kGzip, kZstd };
std::string_view compression_name(Compression compression);

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to `capacity` bytes into `buffer`; 0 means end of stream. A truncated or corrupt
  // compressed stream is an error naming the file and the compressed offset.
  virtual Result<size_t> read(char* buffer, size_t capacity) = 0;
  virtual Compression compression() const = 0;
  // Bytes consumed from the underlying file so far (compressed bytes for compressed streams).
  virtual uint64_t file_bytes_read() const = 0;
};

// Opens `path` and picks the decoder from its first bytes (not its name): 1f 8b is gzip,
// 28 b5 2f fd is zstd. Errors: kNotFound (missing), kInvalidArgument (a directory or a device).
Result<std::unique_ptr<ByteSource>> open_byte_source(const std::string& path);

}  // namespace alignwatch::dataset
