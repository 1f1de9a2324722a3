#include "daemon/adapter_archive.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <set>
#include <vector>

#include <fmt/format.h>

#include "core/text.h"
#include "daemon/intake.h"

namespace alignwatch::daemon {

namespace {

constexpr size_t kBlock = 512;
constexpr size_t kMaxFiles = 256;

uint64_t octal(const char* field, size_t size) {
  uint64_t value = 0;
  for (size_t i = 0; i < size && field[i] != '\0' && field[i] != ' '; ++i) {
    if (field[i] < '0' || field[i] > '7') return UINT64_MAX;
    value = value * 8 + static_cast<uint64_t>(field[i] - '0');
  }
  return value;
}

std::string field(const char* data, size_t size) { return std::string(data, strnlen(data, size)); }

}  // namespace

Status extract_adapter_tar(const std::string& tar_path, const std::string& dest_dir, uint64_t max_bytes) {
  std::ifstream in(tar_path, std::ios::binary);
  if (!in) return Status(StatusCode::kUnavailable, "cannot read " + tar_path);
  std::set<std::string> names;
  std::string long_name;
  uint64_t total = 0;
  char header[kBlock];
  uint64_t offset = 0;
  auto refuse = [&](const std::string& name, const std::string& why) {
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("adapter archive: entry '{}' at offset {}: {}", safe_excerpt(name, 80), offset, why));
  };
  while (in.read(header, kBlock)) {
    const uint64_t here = offset;
    offset += kBlock;
    if (std::all_of(header, header + kBlock, [](char c) { return c == '\0'; })) break;  // end of archive
    unsigned checksum = 0;
    for (size_t i = 0; i < kBlock; ++i) checksum += (i >= 148 && i < 156) ? ' ' : static_cast<unsigned char>(header[i]);
    if (octal(header + 148, 8) != checksum) {
      return Status(StatusCode::kInvalidArgument, fmt::format("adapter archive: offset {}: not a tar header (bad checksum)", here));
    }
    std::string name = field(header, 100);
    if (std::memcmp(header + 257, "ustar", 5) == 0 && header[345] != '\0') name = field(header + 345, 155) + "/" + name;
    if (!long_name.empty()) {
      name = long_name;
      long_name.clear();
    }
    const char type = header[156];
    const uint64_t size = octal(header + 124, 12);
    if (size == UINT64_MAX) return refuse(name, "malformed size");
    const uint64_t padded = (size + kBlock - 1) / kBlock * kBlock;
    if (type == 'L') {  // GNU long name: the next entry's name is this entry's data
      if (size > 4096) return refuse(name, "long name over 4 KiB");
      std::string data(padded, '\0');
      if (!in.read(data.data(), static_cast<std::streamsize>(padded))) return refuse(name, "truncated");
      offset += padded;
      long_name = field(data.data(), size);
      continue;
    }
    if (type == 'x' || type == 'g') {  // pax headers: attributes we do not need
      in.ignore(static_cast<std::streamsize>(padded));
      offset += padded;
      continue;
    }
    while (name.starts_with("./")) name = name.substr(2);
    if (type == '5') continue;  // directories: the files inside say all
    if (type != '0' && type != '\0' && type != '7') {
      return refuse(name, fmt::format("type '{}' is not a plain file (links and devices are refused)", type));
    }
    if (name.empty() || name.front() == '/') return refuse(name, "absolute or empty name");
    // One optional top directory ("adapter/adapter_config.json"), no deeper.
    std::string base = name;
    if (const size_t slash = name.find('/'); slash != std::string::npos) {
      base = name.substr(slash + 1);
      if (base.find('/') != std::string::npos) return refuse(name, "nested deeper than one directory");
    }
    if (base.empty() || base == "." || base == ".." || name.find("..") != std::string::npos ||
        !is_acceptable_inbox_name(base) || base.front() == '.') {
      return refuse(name, "not a plain file name");
    }
    if (!names.insert(base).second) return refuse(name, "repeated");
    if (names.size() > kMaxFiles) return refuse(name, fmt::format("more than {} files", kMaxFiles));
    total += size;
    if (total > max_bytes) return refuse(name, fmt::format("the archive's files exceed {} bytes", max_bytes));
    const std::string out_path = dest_dir + "/" + base;
    const int fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
    if (fd < 0) return Status(StatusCode::kUnavailable, "cannot create " + out_path + ": " + std::strerror(errno));
    std::vector<char> buffer(1 << 16);
    uint64_t left = size;
    bool ok = true;
    while (left > 0 && ok) {
      const size_t n = static_cast<size_t>(std::min<uint64_t>(left, buffer.size()));
      if (!in.read(buffer.data(), static_cast<std::streamsize>(n))) {
        ok = false;
        break;
      }
      ok = ::write(fd, buffer.data(), n) == static_cast<ssize_t>(n);
      left -= n;
    }
    ::close(fd);
    if (!ok) return refuse(name, "truncated archive or write failure");
    in.ignore(static_cast<std::streamsize>(padded - size));
    offset += padded;
  }
  if (names.empty()) return Status(StatusCode::kInvalidArgument, "adapter archive: no files");
  return Status::ok();
}

}  // namespace alignwatch::daemon
