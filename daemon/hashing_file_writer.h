#pragma once
// A new file written while hashed: what the intake copies from the inbox and what the API
// stages from a socket are kept exactly as hashed. finish() fsyncs before it returns the digest.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

namespace alignwatch::store {
class Sha256Stream;
}

namespace alignwatch::daemon {

class HashingFileWriter {
 public:
  // Creates `path` (O_EXCL, never through a link). kUnavailable when it cannot.
  static Result<std::unique_ptr<HashingFileWriter>> create(const std::filesystem::path& path);
  ~HashingFileWriter();
  HashingFileWriter(const HashingFileWriter&) = delete;
  HashingFileWriter& operator=(const HashingFileWriter&) = delete;

  Status write(std::string_view bytes);
  // fsyncs and closes; the lowercase hex SHA-256 of everything written.
  Result<std::string> finish();
  uint64_t size() const { return size_; }

 private:
  HashingFileWriter(int fd, std::filesystem::path path);
  int fd_;
  std::filesystem::path path_;
  std::unique_ptr<store::Sha256Stream> hash_;
  uint64_t size_ = 0;
};

}  // namespace alignwatch::daemon
