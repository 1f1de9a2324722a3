#include "runtime/safetensors_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "runtime/json_file.h"

namespace alignwatch::runtime {

std::string_view dtype_name(DType dtype) {
  switch (dtype) {
    case DType::kF32: return "F32";
    case DType::kF16: return "F16";
    case DType::kBF16: return "BF16";
  }
  return "?";
}

size_t dtype_size(DType dtype) { return dtype == DType::kF32 ? 4 : 2; }

std::string shape_string(const std::vector<int64_t>& shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) out += ", ";
    out += std::to_string(shape[i]);
  }
  return out + "]";
}

namespace {

std::unexpected<Status> corrupt(const std::string& where, const std::string& what) {
  return make_error(StatusCode::kCorruption, "invalid safetensors file: " + where + ": " + what);
}

Result<DType> parse_dtype(const std::string& s, const std::string& where, const std::string& name) {
  if (s == "F32") return DType::kF32;
  if (s == "F16") return DType::kF16;
  if (s == "BF16") return DType::kBF16;
  static const char* const kKnown[] = {"F64", "I64", "I32", "I16", "I8", "U8", "BOOL",
                                       "U16", "U32", "U64", "F8_E4M3", "F8_E5M2"};
  bool known = std::find(std::begin(kKnown), std::end(kKnown), s) != std::end(kKnown);
  return make_error(known ? StatusCode::kUnsupported : StatusCode::kCorruption,
                    "tensor '" + name + "': " + where + ": expected dtype F32, F16 or BF16, got '" +
                        s.substr(0, 32) + "'" +
                        (known ? " [hint: convert the weights to F16/BF16/F32]" : ""));
}

}  // namespace

Result<std::vector<TensorInfo>> SafetensorsFile::parse_header(
    std::string_view header_json, uint64_t data_bytes, const std::string& where,
    std::map<std::string, std::string>* metadata) {
  AW_ASSIGN_OR_RETURN(nlohmann::json header, parse_json(header_json, where + " (header)"));
  if (!header.is_object()) {
    return corrupt(where, "header: expected a JSON object, got " + json_type_name(header));
  }
  std::vector<TensorInfo> tensors;
  for (auto it = header.begin(); it != header.end(); ++it) {
    const std::string& name = it.key();
    const nlohmann::json& t = it.value();
    if (name == "__metadata__") {
      if (!t.is_object()) return corrupt(where, "__metadata__: expected an object, got " + json_type_name(t));
      for (auto m = t.begin(); m != t.end(); ++m) {
        if (!m.value().is_string()) {
          return corrupt(where, "__metadata__ '" + m.key() + "': expected a string, got " +
                                    json_type_name(m.value()));
        }
        if (metadata) (*metadata)[m.key()] = m.value().get<std::string>();
      }
      continue;
    }
    const std::string tname = "tensor '" + name.substr(0, 200) + "'";
    if (!t.is_object()) return corrupt(where, tname + ": expected an object, got " + json_type_name(t));
    TensorInfo info;
    info.name = name;
    auto dt = t.find("dtype");
    if (dt == t.end() || !dt->is_string()) return corrupt(where, tname + ": expected a string 'dtype'");
    AW_ASSIGN_OR_RETURN(info.dtype, parse_dtype(dt->get<std::string>(), where, name));
    auto sh = t.find("shape");
    if (sh == t.end() || !sh->is_array()) return corrupt(where, tname + ": expected an array 'shape'");
    if (sh->size() > 8) {
      return corrupt(where, tname + ": expected at most 8 dimensions, got " + std::to_string(sh->size()));
    }
    unsigned __int128 elements = 1;
    for (const auto& d : *sh) {
      if (!d.is_number_unsigned()) {
        return corrupt(where, tname + ": shape: expected non-negative integers, got " + d.dump());
      }
      uint64_t v = d.get<uint64_t>();
      if (v > (1ull << 40)) return corrupt(where, tname + ": shape: dimension " + std::to_string(v) + " is implausible");
      info.shape.push_back(static_cast<int64_t>(v));
      elements *= v;
      if (elements > (static_cast<unsigned __int128>(1) << 62)) {
        return corrupt(where, tname + ": shape " + d.dump() + ": too many elements");
      }
    }
    auto off = t.find("data_offsets");
    if (off == t.end() || !off->is_array() || off->size() != 2 || !(*off)[0].is_number_unsigned() ||
        !(*off)[1].is_number_unsigned()) {
      return corrupt(where, tname + ": expected 'data_offsets' [begin, end] of non-negative integers");
    }
    info.begin = (*off)[0].get<uint64_t>();
    info.end = (*off)[1].get<uint64_t>();
    if (info.begin > info.end) {
      return corrupt(where, tname + ": data_offsets: expected begin <= end, got [" +
                                std::to_string(info.begin) + ", " + std::to_string(info.end) + "]");
    }
    if (info.end > data_bytes) {
      return corrupt(where, tname + ": data_offsets: expected end <= " + std::to_string(data_bytes) +
                                " (the data section), got " + std::to_string(info.end) +
                                " [hint: the file is truncated or the header lies]");
    }
    unsigned __int128 want = elements * dtype_size(info.dtype);
    if (want != info.end - info.begin) {
      return corrupt(where, tname + ": expected " + std::to_string(static_cast<uint64_t>(want)) +
                                " bytes for " + std::string(dtype_name(info.dtype)) + " " +
                                shape_string(info.shape) + ", got " +
                                std::to_string(info.end - info.begin));
    }
    tensors.push_back(std::move(info));
  }
  // Byte ranges: sorted, they must tile the data section exactly (no overlap, no gap).
  std::vector<const TensorInfo*> order;
  for (const auto& t : tensors) order.push_back(&t);
  std::sort(order.begin(), order.end(), [](const TensorInfo* a, const TensorInfo* b) {
    return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
  });
  uint64_t pos = 0;
  for (const TensorInfo* t : order) {
    if (t->begin < pos) {
      return corrupt(where, "tensor '" + t->name.substr(0, 200) + "': data_offsets [" +
                                std::to_string(t->begin) + ", " + std::to_string(t->end) +
                                "] overlap the previous tensor (expected begin >= " +
                                std::to_string(pos) + ")");
    }
    if (t->begin > pos) {
      return corrupt(where, "data section: bytes [" + std::to_string(pos) + ", " +
                                std::to_string(t->begin) + ") belong to no tensor (expected the tensors to cover the data)");
    }
    pos = t->end;
  }
  if (pos != data_bytes) {
    return corrupt(where, "data section: expected " + std::to_string(pos) +
                              " bytes after the header (what the tensors cover), got " +
                              std::to_string(data_bytes));
  }
  std::sort(tensors.begin(), tensors.end(),
            [](const TensorInfo& a, const TensorInfo& b) { return a.name < b.name; });
  return tensors;
}

Result<std::unique_ptr<SafetensorsFile>> SafetensorsFile::open(const std::string& path,
                                                               const SafetensorsLimits& limits) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return make_error(errno == ENOENT ? StatusCode::kNotFound : StatusCode::kUnavailable,
                      "cannot open safetensors file: " + path + ": " + std::strerror(errno));
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    return make_error(StatusCode::kInvalidArgument,
                      "not a regular file: " + path + ": expected a safetensors file");
  }
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  if (size < 8) {
    return corrupt(path, "expected at least 8 bytes (the header length), got " + std::to_string(size) +
                             " [hint: the file is truncated]");
  }
  unsigned char len_bytes[8];
  if (::pread(fd, len_bytes, 8, 0) != 8) return corrupt(path, "cannot read the header length");
  uint64_t header_len = 0;
  for (int i = 7; i >= 0; --i) header_len = (header_len << 8) | len_bytes[i];
  if (header_len > limits.max_header_bytes) {
    return make_error(StatusCode::kResourceExhausted,
                      "invalid safetensors file: " + path + ": header length: expected at most " +
                          std::to_string(limits.max_header_bytes) + " bytes, got " +
                          std::to_string(header_len) + " [hint: not a safetensors file?]");
  }
  if (header_len > size - 8) {
    return corrupt(path, "header length: expected at most " + std::to_string(size - 8) +
                             " bytes (the rest of the file), got " + std::to_string(header_len) +
                             " [hint: the file is truncated]");
  }
  std::string header(static_cast<size_t>(header_len), '\0');
  size_t done = 0;
  while (done < header.size()) {
    ssize_t n = ::pread(fd, header.data() + done, header.size() - done, static_cast<off_t>(8 + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return corrupt(path, "cannot read the header");
    done += static_cast<size_t>(n);
  }
  auto file = std::unique_ptr<SafetensorsFile>(new SafetensorsFile());
  file->path_ = path;
  AW_ASSIGN_OR_RETURN(file->tensors_, parse_header(header, size - 8 - header_len, path, &file->metadata_));
  if (file->tensors_.size() > limits.max_tensors) {
    return make_error(StatusCode::kResourceExhausted,
                      "invalid safetensors file: " + path + ": expected at most " +
                          std::to_string(limits.max_tensors) + " tensors, got " +
                          std::to_string(file->tensors_.size()));
  }
  for (size_t i = 0; i < file->tensors_.size(); ++i) file->by_name_[file->tensors_[i].name] = i;
  // Validated: now map. MAP_PRIVATE + PROT_READ: the weights are never written through.
  void* m = ::mmap(nullptr, static_cast<size_t>(size), PROT_READ, MAP_PRIVATE, fd, 0);
  if (m == MAP_FAILED) {
    return make_error(StatusCode::kResourceExhausted,
                      "cannot map safetensors file: " + path + ": " + std::strerror(errno));
  }
  file->map_ = m;
  file->map_bytes_ = static_cast<size_t>(size);
  file->data_ = static_cast<const std::byte*>(m) + 8 + header_len;
  return file;
}

SafetensorsFile::~SafetensorsFile() {
  if (map_) ::munmap(map_, map_bytes_);
}

const TensorInfo* SafetensorsFile::find(const std::string& name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : &tensors_[it->second];
}

TensorView SafetensorsFile::view(const TensorInfo& info) const {
  return TensorView{&info, data_ + info.begin, static_cast<size_t>(info.end - info.begin)};
}

}  // namespace alignwatch::runtime
