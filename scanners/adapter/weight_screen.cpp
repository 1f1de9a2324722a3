#include "scanners/adapter/weight_screen.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>
#include <nlohmann/json.hpp>

#include "runtime/lora_adapter.h"

namespace alignwatch::scan::adapter {

namespace {

// "model.layers.12.mlp.down_proj" -> (12, "down_proj")
std::pair<int64_t, std::string> layer_and_kind(const std::string& module) {
  const size_t dot = module.rfind('.');
  std::string kind = dot == std::string::npos ? module : module.substr(dot + 1);
  constexpr std::string_view kLayers = "layers.";
  const size_t at = module.find(kLayers);
  if (at == std::string::npos) return {-1, kind};
  int64_t layer = 0;
  size_t i = at + kLayers.size();
  bool digits = false;
  while (i < module.size() && module[i] >= '0' && module[i] <= '9') {
    layer = layer * 10 + (module[i++] - '0');
    digits = true;
  }
  return {digits ? layer : -1, kind};
}

double median(std::vector<double> values) {
  if (values.empty()) return 0;
  const size_t mid = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid), values.end());
  double m = values[mid];
  if (values.size() % 2 == 0) {
    m = (m + *std::max_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid))) / 2;
  }
  return m;
}

// The exact singular values of scaling · B·A, descending.
std::vector<double> update_spectrum(const at::Tensor& a, const at::Tensor& b, double scaling) {
  const at::Tensor a64 = a.to(at::kDouble), b64 = b.to(at::kDouble);
  const at::Tensor r_b = std::get<1>(at::linalg_qr(b64, "reduced"));      // [r, r]
  const at::Tensor r_a = std::get<1>(at::linalg_qr(a64.t(), "reduced"));  // [r, r]
  const at::Tensor core = at::matmul(r_b, r_a.t()) * scaling;
  const at::Tensor sigma = at::linalg_svdvals(core).contiguous();
  std::vector<double> out(sigma.data_ptr<double>(), sigma.data_ptr<double>() + sigma.numel());
  std::sort(out.begin(), out.end(), std::greater<>());
  return out;
}

ModuleSpectrum spectrum_of(const std::string& module, const runtime::LoraAdapter::Pair& pair, double scaling) {
  ModuleSpectrum s;
  s.module = module;
  std::tie(s.layer, s.kind) = layer_and_kind(module);
  s.rank = pair.a.size(0);
  s.in_features = pair.a.size(1);
  s.out_features = pair.b.size(0);
  s.singular_values = update_spectrum(pair.a, pair.b, scaling);
  double energy = 0;
  for (double v : s.singular_values) energy += v * v;
  s.frobenius_norm = std::sqrt(energy);
  s.spectral_norm = s.singular_values.empty() ? 0 : s.singular_values.front();
  if (energy > 0) {
    s.top_energy = s.spectral_norm * s.spectral_norm / energy;
    double entropy = 0;
    for (double v : s.singular_values) {
      const double p = v * v / energy;
      if (p > 0) entropy -= p * std::log(p);
    }
    s.effective_rank = std::exp(entropy);
  }
  return s;
}

double log_norm(double norm) { return std::log(std::max(norm, 1e-30)); }

}  // namespace

double robust_z(double value, std::vector<double> sample) {
  if (sample.size() < 3) return 0;
  const double m = median(sample);
  std::vector<double> deviations;
  deviations.reserve(sample.size());
  double mean_deviation = 0;
  for (double v : sample) {
    deviations.push_back(std::abs(v - m));
    mean_deviation += std::abs(v - m);
  }
  mean_deviation /= static_cast<double>(sample.size());
  const double mad = median(deviations);
  if (mad > 0) return (value - m) / (1.4826 * mad);
  if (mean_deviation > 0) return (value - m) / (1.253314 * mean_deviation);
  return value == m ? 0 : (value > m ? 1e6 : -1e6);  // every reference identical, this one not
}

Result<WeightScreenReport> screen_adapter(const runtime::LoraAdapter& adapter,
                                          std::span<const runtime::LoraAdapter* const> references,
                                          const WeightScreenOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  WeightScreenReport report;
  report.references = references.size();
  try {
    c10::InferenceMode guard;
    for (const auto& [module, pair] : adapter.pairs()) {
      report.modules.push_back(spectrum_of(module, pair, adapter.scaling()));
    }
    // The same module in each reference, as log norms.
    std::map<std::string, std::vector<double>> reference_norms;
    for (const runtime::LoraAdapter* reference : references) {
      for (const auto& [module, pair] : reference->pairs()) {
        ModuleSpectrum s = spectrum_of(module, pair, reference->scaling());
        reference_norms[module].push_back(log_norm(s.frobenius_norm));
      }
    }
    std::map<std::string, std::vector<double>> by_kind;
    for (const ModuleSpectrum& s : report.modules) by_kind[s.kind].push_back(log_norm(s.frobenius_norm));
    for (ModuleSpectrum& s : report.modules) {
      // Against the other layers: leave this module out of its own sample.
      std::vector<double> others;
      bool skipped = false;
      for (double v : by_kind[s.kind]) {
        if (!skipped && v == log_norm(s.frobenius_norm)) {
          skipped = true;
          continue;
        }
        others.push_back(v);
      }
      s.layer_z = robust_z(log_norm(s.frobenius_norm), others);
      if (auto it = reference_norms.find(s.module); it != reference_norms.end()) {
        s.reference_z = robust_z(log_norm(s.frobenius_norm), it->second);
      }
      report.total_frobenius_norm += s.frobenius_norm * s.frobenius_norm;
      const double z = report.references >= 3 ? s.reference_z : s.layer_z;
      if (std::abs(z) >= options.outlier_z) report.outliers.push_back(s.module);
    }
    report.total_frobenius_norm = std::sqrt(report.total_frobenius_norm);
  } catch (const c10::Error& error) {
    return make_error(StatusCode::kInternal, std::string("weight screen: libtorch: ") + error.what_without_backtrace());
  }
  std::map<int64_t, LayerSummary> layers;
  for (const ModuleSpectrum& s : report.modules) {
    LayerSummary& layer = layers[s.layer];
    layer.layer = s.layer;
    layer.frobenius_norm += s.frobenius_norm * s.frobenius_norm;
    layer.max_abs_z = std::max(layer.max_abs_z, std::abs(report.references >= 3 ? s.reference_z : s.layer_z));
  }
  for (auto& [index, layer] : layers) {
    layer.frobenius_norm = std::sqrt(layer.frobenius_norm);
    report.layers.push_back(layer);
  }
  std::stable_sort(report.layers.begin(), report.layers.end(), [](const LayerSummary& a, const LayerSummary& b) {
    return a.max_abs_z != b.max_abs_z ? a.max_abs_z > b.max_abs_z : a.frobenius_norm > b.frobenius_norm;
  });
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

std::string weight_screen_json(const WeightScreenReport& report) {
  using Json = nlohmann::ordered_json;
  auto finite = [](double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); };
  Json modules = Json::array();
  for (const ModuleSpectrum& s : report.modules) {
    Json sigma = Json::array();
    for (double v : s.singular_values) sigma.push_back(finite(v));
    modules.push_back(Json{{"module", s.module},
                           {"layer", s.layer},
                           {"kind", s.kind},
                           {"shape", {s.out_features, s.in_features}},
                           {"rank", s.rank},
                           {"singular_values", sigma},
                           {"frobenius_norm", finite(s.frobenius_norm)},
                           {"spectral_norm", finite(s.spectral_norm)},
                           {"top_energy", finite(s.top_energy)},
                           {"effective_rank", finite(s.effective_rank)},
                           {"layer_z", finite(s.layer_z)},
                           {"reference_z", finite(s.reference_z)}});
  }
  Json layers = Json::array();
  for (const LayerSummary& l : report.layers) {
    layers.push_back(Json{{"layer", l.layer}, {"frobenius_norm", finite(l.frobenius_norm)}, {"max_abs_z", finite(l.max_abs_z)}});
  }
  return Json{{"tier", 0},
              {"references", report.references},
              {"total_frobenius_norm", finite(report.total_frobenius_norm)},
              {"seconds", finite(report.seconds)},
              {"outliers", report.outliers},
              {"layers_ranked", layers},
              {"modules", modules}}
      .dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace alignwatch::scan::adapter
