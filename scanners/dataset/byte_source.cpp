#include "scanners/dataset/byte_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace alignwatch::dataset {

std::string_view compression_name(Compression compression) {
  switch (compression) {
    case Compression::kNone: return "none";
    case Compression::kGzip: return "gzip";
    case Compression::kZstd: return "zstd";
  }
  return "unknown";
}

namespace {

constexpr size_t kInputChunk = 256 * 1024;

// Owns a file descriptor and reads it, with a few bytes of look-ahead put back after sniffing.
class FileReader {
 public:
  FileReader(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~FileReader() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileReader(const FileReader&) = delete;
  FileReader& operator=(const FileReader&) = delete;

  Result<size_t> read(char* buffer, size_t capacity) {
    size_t given = 0;
    if (pushback_pos_ < pushback_.size()) {
      given = std::min(capacity, pushback_.size() - pushback_pos_);
      std::memcpy(buffer, pushback_.data() + pushback_pos_, given);
      pushback_pos_ += given;
      // push_back() took these bytes off the count: they count again now that they are read.
      bytes_read_ += given;
      if (given == capacity) return given;
    }
    for (;;) {
      ssize_t n = ::read(fd_, buffer + given, capacity - given);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        return make_error(StatusCode::kUnavailable,
                          std::string("read failed: ") + std::strerror(errno), Location{path_});
      }
      bytes_read_ += static_cast<uint64_t>(n);
      return given + static_cast<size_t>(n);
    }
  }
  void push_back(std::string_view bytes) {
    pushback_.assign(bytes.begin(), bytes.end());
    pushback_pos_ = 0;
    bytes_read_ -= bytes.size();
  }
  const std::string& path() const { return path_; }
  uint64_t bytes_read() const { return bytes_read_; }

 private:
  int fd_;
  std::string path_;
  std::vector<char> pushback_;
  size_t pushback_pos_ = 0;
  uint64_t bytes_read_ = 0;
};

class PlainSource final : public ByteSource {
 public:
  explicit PlainSource(std::unique_ptr<FileReader> file) : file_(std::move(file)) {}
  Result<size_t> read(char* buffer, size_t capacity) override { return file_->read(buffer, capacity); }
  Compression compression() const override { return Compression::kNone; }
  uint64_t file_bytes_read() const override { return file_->bytes_read(); }

 private:
  std::unique_ptr<FileReader> file_;
};

class GzipSource final : public ByteSource {
 public:
  explicit GzipSource(std::unique_ptr<FileReader> file) : file_(std::move(file)), in_(kInputChunk) {
    std::memset(&stream_, 0, sizeof(stream_));
    // 16 + MAX_WBITS: expect a gzip header and trailer.
    init_ok_ = inflateInit2(&stream_, 16 + MAX_WBITS) == Z_OK;
  }
  ~GzipSource() override { inflateEnd(&stream_); }

  Result<size_t> read(char* buffer, size_t capacity) override {
    if (!init_ok_) {
      return make_error(StatusCode::kInternal, "zlib initialisation failed",
                        Location{file_->path()});
    }
    if (finished_) return size_t{0};
    stream_.next_out = reinterpret_cast<Bytef*>(buffer);
    stream_.avail_out = static_cast<uInt>(capacity);
    while (stream_.avail_out == capacity) {
      if (stream_.avail_in == 0) {
        AW_ASSIGN_OR_RETURN(size_t n, file_->read(in_.data(), in_.size()));
        if (n == 0) {
          return make_error(StatusCode::kCorruption,
                            "truncated gzip stream: expected more compressed data, got the end "
                            "of the file at compressed byte " +
                                std::to_string(file_->bytes_read()),
                            Location{file_->path()});
        }
        stream_.next_in = reinterpret_cast<Bytef*>(in_.data());
        stream_.avail_in = static_cast<uInt>(n);
      }
      int rc = inflate(&stream_, Z_NO_FLUSH);
      if (rc == Z_STREAM_END) {
        // Concatenated gzip members are legal (e.g. `cat a.gz b.gz`): continue with the next one.
        if (stream_.avail_in > 0 || peek_more()) {
          inflateReset(&stream_);
          continue;
        }
        finished_ = true;
        break;
      }
      if (rc != Z_OK && rc != Z_BUF_ERROR) {
        return make_error(StatusCode::kCorruption,
                          "corrupt gzip stream: near compressed byte " +
                              std::to_string(file_->bytes_read() - stream_.avail_in) + ": " +
                              (stream_.msg ? stream_.msg : "inflate failed"),
                          Location{file_->path()});
      }
    }
    return capacity - stream_.avail_out;
  }
  Compression compression() const override { return Compression::kGzip; }
  uint64_t file_bytes_read() const override { return file_->bytes_read(); }

 private:
  bool peek_more() {
    auto n = file_->read(in_.data(), in_.size());
    if (!n || *n == 0) return false;
    stream_.next_in = reinterpret_cast<Bytef*>(in_.data());
    stream_.avail_in = static_cast<uInt>(*n);
    return true;
  }
  std::unique_ptr<FileReader> file_;
  std::vector<char> in_;
  z_stream stream_;
  bool init_ok_ = false;
  bool finished_ = false;
};

class ZstdSource final : public ByteSource {
 public:
  explicit ZstdSource(std::unique_ptr<FileReader> file)
      : file_(std::move(file)), in_(ZSTD_DStreamInSize()), dctx_(ZSTD_createDCtx()) {}
  ~ZstdSource() override { ZSTD_freeDCtx(dctx_); }

  Result<size_t> read(char* buffer, size_t capacity) override {
    if (dctx_ == nullptr) {
      return make_error(StatusCode::kInternal, "zstd initialisation failed",
                        Location{file_->path()});
    }
    // The decoder keeps the frame's last input byte until all output is flushed, so "input used
    // up" below never hides decoded bytes still waiting inside it.
    ZSTD_outBuffer out{buffer, capacity, 0};
    while (out.pos == 0) {
      if (input_.pos == input_.size) {
        AW_ASSIGN_OR_RETURN(size_t n, file_->read(in_.data(), in_.size()));
        if (n == 0) {
          if (last_result_ != 0) {
            return make_error(StatusCode::kCorruption,
                              "truncated zstd stream: expected the rest of the frame, got the end "
                              "of the file at compressed byte " +
                                  std::to_string(file_->bytes_read()),
                              Location{file_->path()});
          }
          return size_t{0};
        }
        input_ = ZSTD_inBuffer{in_.data(), n, 0};
      }
      size_t rc = ZSTD_decompressStream(dctx_, &out, &input_);
      if (ZSTD_isError(rc)) {
        return make_error(StatusCode::kCorruption,
                          "corrupt zstd stream: near compressed byte " +
                              std::to_string(file_->bytes_read() - (input_.size - input_.pos)) +
                              ": " + ZSTD_getErrorName(rc),
                          Location{file_->path()});
      }
      last_result_ = rc;
    }
    return out.pos;
  }
  Compression compression() const override { return Compression::kZstd; }
  uint64_t file_bytes_read() const override { return file_->bytes_read(); }

 private:
  std::unique_ptr<FileReader> file_;
  std::vector<char> in_;
  ZSTD_DCtx* dctx_;
  ZSTD_inBuffer input_{nullptr, 0, 0};
  size_t last_result_ = 0;
};

// "a directory", "a device", ...: what a path that is not a regular file turned out to be.
std::string describe_file_type(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISCHR(mode) || S_ISBLK(mode)) return "a device";
  if (S_ISFIFO(mode)) return "a pipe";
  if (S_ISSOCK(mode)) return "a socket";
  return "a special file";
}

}  // namespace

Result<std::unique_ptr<ByteSource>> open_byte_source(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) {
    int err = errno;
    StatusCode code = (err == ENOENT || err == ENOTDIR) ? StatusCode::kNotFound
                      : err == EACCES                    ? StatusCode::kInvalidArgument
                                                         : StatusCode::kUnavailable;
    return make_error(code, std::string("cannot open dataset: ") + std::strerror(err),
                      Location{path});
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return make_error(StatusCode::kUnavailable,
                      std::string("cannot stat dataset: ") + std::strerror(err), Location{path});
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return make_error(StatusCode::kInvalidArgument,
                      "cannot scan: expected a regular file, got " +
                          describe_file_type(st.st_mode) +
                          " (directories, devices, pipes and sockets are refused)",
                      Location{path});
  }
  // Regular file: blocking reads from here on.
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  auto file = std::make_unique<FileReader>(fd, path);
  char magic[4] = {0, 0, 0, 0};
  AW_ASSIGN_OR_RETURN(size_t got, file->read(magic, sizeof(magic)));
  file->push_back(std::string_view(magic, got));
  const auto* m = reinterpret_cast<const unsigned char*>(magic);
  if (got >= 2 && m[0] == 0x1f && m[1] == 0x8b) {
    return std::make_unique<GzipSource>(std::move(file));
  }
  if (got >= 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd) {
    return std::make_unique<ZstdSource>(std::move(file));
  }
  return std::make_unique<PlainSource>(std::move(file));
}

}  // namespace alignwatch::dataset
