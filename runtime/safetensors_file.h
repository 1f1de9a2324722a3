#pragma once
// A safetensors file, validated before it is mapped: the header's size, its JSON, every
// tensor's dtype, shape and byte range (in bounds, non-overlapping, together covering the data
// section) are checked from a pread() of the header alone; only then is the file mmap()ed
// read-only, and tensors are views into the mapping (nothing is copied).

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"

namespace alignwatch::runtime {

enum class DType { kF32, kF16, kBF16 };

std::string_view dtype_name(DType dtype);  // "F32", "F16", "BF16"
size_t dtype_size(DType dtype);

struct TensorInfo {
  std::string name;
  DType dtype = DType::kF32;
  std::vector<int64_t> shape;
  uint64_t begin = 0;  // offsets into the data section
  uint64_t end = 0;
};

// "[4096, 16]"
std::string shape_string(const std::vector<int64_t>& shape);

struct SafetensorsLimits {
  uint64_t max_header_bytes = 100u << 20;  // the format's own limit is 100 MB
  uint64_t max_tensors = 1u << 20;
};

// A view of one tensor's bytes inside a mapped file. Valid while the SafetensorsFile lives.
struct TensorView {
  const TensorInfo* info = nullptr;
  const std::byte* data = nullptr;
  size_t nbytes = 0;
};

class SafetensorsFile {
 public:
  // Validates the header of `path` and maps the file. Errors: kNotFound, kCorruption (a header
  // that lies about the file), kUnsupported (a dtype other than F32/F16/BF16),
  // kResourceExhausted (header over the limits).
  static Result<std::unique_ptr<SafetensorsFile>> open(const std::string& path,
                                                       const SafetensorsLimits& limits = {});
  // Validates a header alone against a data section of `data_bytes`; `where` names the file.
  // Exposed for tests and for the model-info safety gate.
  static Result<std::vector<TensorInfo>> parse_header(std::string_view header_json,
                                                      uint64_t data_bytes,
                                                      const std::string& where,
                                                      std::map<std::string, std::string>* metadata);

  ~SafetensorsFile();
  SafetensorsFile(const SafetensorsFile&) = delete;
  SafetensorsFile& operator=(const SafetensorsFile&) = delete;

  const std::string& path() const { return path_; }
  const std::vector<TensorInfo>& tensors() const { return tensors_; }
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  // nullptr when there is no tensor of that name.
  const TensorInfo* find(const std::string& name) const;
  TensorView view(const TensorInfo& info) const;

 private:
  SafetensorsFile() = default;
  std::string path_;
  std::vector<TensorInfo> tensors_;
  std::map<std::string, size_t> by_name_;
  std::map<std::string, std::string> metadata_;
  void* map_ = nullptr;
  size_t map_bytes_ = 0;
  const std::byte* data_ = nullptr;  // start of the data section inside the mapping
};

}  // namespace alignwatch::runtime
