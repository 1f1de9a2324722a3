#pragma once
// Writes float32 tensors as a .safetensors file: an 8-byte little-endian header length, the
// JSON header (names sorted, each {dtype F32, shape, data_offsets}, padded with spaces to a
// multiple of 8) and the data, the layout runtime/safetensors_file.h validates.

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace alignwatch::organisms {

struct F32Tensor {
  std::string name;
  std::vector<int64_t> shape;
  std::vector<float> data;  // row-major, product(shape) values
};

Status write_safetensors(const std::string& path, const std::vector<F32Tensor>& tensors,
                         const std::vector<std::pair<std::string, std::string>>& metadata = {});

}  // namespace alignwatch::organisms
