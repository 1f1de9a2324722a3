#include "daemon/hashing_file_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "store/digest.h"

namespace alignwatch::daemon {

Result<std::unique_ptr<HashingFileWriter>> HashingFileWriter::create(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0640);
  if (fd < 0) {
    return make_error(StatusCode::kUnavailable, "cannot create " + path.string() + ": " + std::strerror(errno));
  }
  return std::unique_ptr<HashingFileWriter>(new HashingFileWriter(fd, path));
}

HashingFileWriter::HashingFileWriter(int fd, std::filesystem::path path)
    : fd_(fd), path_(std::move(path)), hash_(std::make_unique<store::Sha256Stream>()) {}

HashingFileWriter::~HashingFileWriter() {
  if (fd_ >= 0) ::close(fd_);
}

Status HashingFileWriter::write(std::string_view bytes) {
  if (fd_ < 0) return Status(StatusCode::kInternal, "write " + path_.string() + ": already finished");
  size_ += bytes.size();
  hash_->update(bytes);
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status(StatusCode::kUnavailable, "write " + path_.string() + ": " + std::strerror(errno));
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return Status::ok();
}

Result<std::string> HashingFileWriter::finish() {
  if (fd_ < 0) return make_error(StatusCode::kInternal, "finish " + path_.string() + ": already finished");
  const bool synced = ::fsync(fd_) == 0;
  const int error = errno;
  ::close(fd_);
  fd_ = -1;
  if (!synced) return make_error(StatusCode::kUnavailable, "fsync " + path_.string() + ": " + std::strerror(error));
  AW_ASSIGN_OR_RETURN(auto digest, hash_->finish());
  return store::to_hex(digest);
}

}  // namespace alignwatch::daemon
