#pragma once
// The weights of a model directory as tensors: model.safetensors or the shards named by
// model.safetensors.index.json, each validated (safetensors_file.h) and mapped. F32 tensors are
// views of the mapping (no copy); F16/BF16 tensors are converted once to the compute dtype.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <ATen/ATen.h>

#include "core/status.h"
#include "runtime/safetensors_file.h"

namespace alignwatch::runtime {

class ModelWeights {
 public:
  // Opens DIR's safetensors weights.
  static Result<std::unique_ptr<ModelWeights>> open_dir(const std::string& dir);
  // Opens one safetensors file (adapters).
  static Result<std::unique_ptr<ModelWeights>> open_file(const std::string& path);
  // Wraps in-memory float32 CPU tensors (a model being trained): get() returns the tensors
  // themselves, so a forward pass over them reaches their gradients.
  static std::unique_ptr<ModelWeights> from_tensors(const std::map<std::string, at::Tensor>& tensors);

  bool has(const std::string& name) const { return index_.count(name) != 0; }
  const TensorInfo* info(const std::string& name) const;
  // The tensor as `dtype` (float32 or bfloat16) on the CPU; an error naming the tensor when it
  // is missing. Stored in that dtype, it is a view of the mapping; otherwise converted once.
  Result<at::Tensor> get(const std::string& name, at::ScalarType dtype = at::kFloat) const;
  std::vector<std::string> names() const;
  const std::vector<std::string>& files() const { return files_; }

 private:
  std::vector<std::unique_ptr<SafetensorsFile>> shards_;
  std::vector<std::string> files_;
  std::map<std::string, std::pair<size_t, const TensorInfo*>> index_;
  // from_tensors(): the tensors and their infos (shard index kInMemory in index_).
  static constexpr size_t kInMemory = static_cast<size_t>(-1);
  std::map<std::string, at::Tensor> in_memory_;
  std::map<std::string, TensorInfo> in_memory_info_;
};

}  // namespace alignwatch::runtime
