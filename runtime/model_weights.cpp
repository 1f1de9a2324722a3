#include "runtime/model_weights.h"

#include <filesystem>
#include <set>

#include "runtime/json_file.h"
#include "runtime/torch_boundary.h"

namespace alignwatch::runtime {

namespace {

Status add_shard(ModelWeights& w, std::vector<std::unique_ptr<SafetensorsFile>>& shards,
                 std::map<std::string, std::pair<size_t, const TensorInfo*>>& index,
                 const std::string& path) {
  AW_ASSIGN_OR_RETURN(auto file, SafetensorsFile::open(path));
  size_t k = shards.size();
  for (const TensorInfo& t : file->tensors()) {
    if (!index.emplace(t.name, std::pair{k, &t}).second) {
      return Status(StatusCode::kCorruption,
                    "tensor '" + t.name.substr(0, 200) + "': " + path + ": expected it in one shard, got it twice");
    }
  }
  shards.push_back(std::move(file));
  return Status::ok();
}

}  // namespace

Result<std::unique_ptr<ModelWeights>> ModelWeights::open_file(const std::string& path) {
  auto w = std::make_unique<ModelWeights>();
  AW_RETURN_IF_ERROR(add_shard(*w, w->shards_, w->index_, path));
  w->files_.push_back(path);
  return w;
}

Result<std::unique_ptr<ModelWeights>> ModelWeights::open_dir(const std::string& dir) {
  namespace fs = std::filesystem;
  const std::string single = dir + "/model.safetensors";
  const std::string index_path = dir + "/model.safetensors.index.json";
  std::error_code ec;
  if (fs::exists(single, ec)) return open_file(single);
  if (!fs::exists(index_path, ec)) {
    return make_error(StatusCode::kNotFound,
                      "model weights: " + dir + ": expected model.safetensors or model.safetensors.index.json, "
                      "got neither [hint: pickle checkpoints (.bin, .pt) are refused; convert to safetensors]");
  }
  AW_ASSIGN_OR_RETURN(nlohmann::json idx, read_json_file(index_path, 64u << 20));
  if (!idx.is_object() || !idx.contains("weight_map") || !idx["weight_map"].is_object()) {
    return make_error(StatusCode::kCorruption, "model weights: " + index_path + ": expected a 'weight_map' object");
  }
  std::set<std::string> shard_names;
  for (auto it = idx["weight_map"].begin(); it != idx["weight_map"].end(); ++it) {
    if (!it.value().is_string()) {
      return make_error(StatusCode::kCorruption, "model weights: " + index_path + ": weight_map '" +
                                                     it.key().substr(0, 100) + "': expected a file name");
    }
    std::string shard = it.value().get<std::string>();
    if (shard.find('/') != std::string::npos || shard.starts_with(".")) {
      return make_error(StatusCode::kInvalidArgument,
                        "model weights: " + index_path + ": shard '" + shard.substr(0, 100) +
                            "': expected a file name inside the model directory");
    }
    shard_names.insert(shard);
  }
  auto w = std::make_unique<ModelWeights>();
  for (const std::string& s : shard_names) {
    AW_RETURN_IF_ERROR(add_shard(*w, w->shards_, w->index_, dir + "/" + s));
    w->files_.push_back(dir + "/" + s);
  }
  for (auto it = idx["weight_map"].begin(); it != idx["weight_map"].end(); ++it) {
    auto found = w->index_.find(it.key());
    if (found == w->index_.end() || w->files_[found->second.first] != dir + "/" + it.value().get<std::string>()) {
      return make_error(StatusCode::kCorruption,
                        "tensor '" + it.key().substr(0, 200) + "': " + index_path + ": expected in shard " +
                            it.value().get<std::string>() + ", got " +
                            (found == w->index_.end() ? std::string("no shard") : w->files_[found->second.first]));
    }
  }
  return w;
}

const TensorInfo* ModelWeights::info(const std::string& name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : it->second.second;
}

std::vector<std::string> ModelWeights::names() const {
  std::vector<std::string> out;
  for (const auto& [n, _] : index_) out.push_back(n);
  return out;
}

std::unique_ptr<ModelWeights> ModelWeights::from_tensors(const std::map<std::string, at::Tensor>& tensors) {
  auto w = std::make_unique<ModelWeights>();
  for (const auto& [name, t] : tensors) {
    TensorInfo info;
    info.name = name;
    info.dtype = DType::kF32;
    info.shape.assign(t.sizes().begin(), t.sizes().end());
    w->in_memory_[name] = t;
    const TensorInfo* stored = &w->in_memory_info_.emplace(name, std::move(info)).first->second;
    w->index_[name] = {kInMemory, stored};
  }
  return w;
}

Result<at::Tensor> ModelWeights::get(const std::string& name, at::ScalarType dtype) const {
  auto it = index_.find(name);
  if (it == index_.end()) {
    return make_error(StatusCode::kNotFound, "tensor '" + name + "': expected in the weights, got nothing");
  }
  if (it->second.first == kInMemory) {
    // Training's tensors: the same tensor (autograd intact) when the dtype already matches.
    const at::Tensor& t = in_memory_.at(name);
    if (t.scalar_type() == dtype) return t;
    return torch_call("tensor '" + name + "'", [&]() -> Result<at::Tensor> { return t.to(dtype); });
  }
  const SafetensorsFile& f = *shards_[it->second.first];
  const TensorInfo& info = *it->second.second;
  TensorView v = f.view(info);
  return torch_call("tensor '" + name + "'", [&]() -> Result<at::Tensor> {
    at::ScalarType st = info.dtype == DType::kF32 ? at::kFloat : info.dtype == DType::kF16 ? at::kHalf : at::kBFloat16;
    // from_blob over the read-only mapping: the tensor is never written through (inference).
    at::Tensor t = at::from_blob(const_cast<std::byte*>(v.data), info.shape, at::TensorOptions().dtype(st));
    if (st == dtype && reinterpret_cast<uintptr_t>(v.data) % dtype_size(info.dtype) == 0) return t;
    return t.to(dtype);  // another dtype (or unaligned data): one conversion into owned memory
  });
}

}  // namespace alignwatch::runtime
