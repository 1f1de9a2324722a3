#include "organisms/safetensors_writer.h"

#include <algorithm>
#include <fstream>

#include <nlohmann/json.hpp>

namespace alignwatch::organisms {

Status write_safetensors(const std::string& path, const std::vector<F32Tensor>& tensors,
                         const std::vector<std::pair<std::string, std::string>>& metadata) {
  std::vector<const F32Tensor*> sorted;
  for (const F32Tensor& t : tensors) sorted.push_back(&t);
  std::sort(sorted.begin(), sorted.end(), [](const F32Tensor* a, const F32Tensor* b) { return a->name < b->name; });
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) {
    nlohmann::ordered_json m = nlohmann::ordered_json::object();
    for (const auto& [k, v] : metadata) m[k] = v;
    header["__metadata__"] = m;
  }
  uint64_t offset = 0;
  for (const F32Tensor* t : sorted) {
    int64_t n = 1;
    for (int64_t d : t->shape) n *= d;
    if (n != static_cast<int64_t>(t->data.size())) {
      return Status(StatusCode::kInternal, "safetensors writer: tensor '" + t->name + "': expected " + std::to_string(n) +
                                               " values, got " + std::to_string(t->data.size()));
    }
    const uint64_t bytes = static_cast<uint64_t>(n) * 4;
    header[t->name] = {{"dtype", "F32"}, {"shape", t->shape}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string h = header.dump();
  while (h.size() % 8 != 0) h += ' ';
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return Status(StatusCode::kUnavailable, "safetensors writer: " + path + ": expected a writable file, got an open error");
  uint64_t len = h.size();
  unsigned char le[8];
  for (int i = 0; i < 8; ++i) le[i] = static_cast<unsigned char>(len >> (8 * i));
  out.write(reinterpret_cast<const char*>(le), 8);
  out.write(h.data(), static_cast<std::streamsize>(h.size()));
  for (const F32Tensor* t : sorted) {
    out.write(reinterpret_cast<const char*>(t->data.data()), static_cast<std::streamsize>(t->data.size() * 4));
  }
  out.flush();
  if (!out) return Status(StatusCode::kUnavailable, "safetensors writer: " + path + ": expected the write to succeed, got an I/O error");
  return Status::ok();
}

}  // namespace alignwatch::organisms
