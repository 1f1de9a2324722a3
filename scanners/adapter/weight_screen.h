#pragma once
// Tier 0 of the adapter scan: a screen of the LoRA weights alone, no inference. For every
// adapted module, the exact spectrum of its update ΔW = scaling · B·A, computed through QR of
// the two factors (B = Q_B R_B, Aᵀ = Q_A R_A, so ΔW = Q_B (R_B R_Aᵀ) Q_Aᵀ and its singular values
// are those of the r×r core) instead of the out×in product; from it the update's norms, the
// energy in its top direction and its effective rank. Then how modules of one kind vary across
// layers, and, when reference adapters of the same base are given, robust z-scores (median and
// MAD) of each module against the same module in the references. The ranking of layers by
// anomaly orders the later, costlier tiers. Milliseconds for adapters of small models.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"

namespace alignwatch::runtime {
class LoraAdapter;
}

namespace alignwatch::scan::adapter {

struct ModuleSpectrum {
  std::string module;  // "model.layers.3.self_attn.q_proj"
  int64_t layer = -1;  // 3; -1 for modules outside the layers
  std::string kind;    // "q_proj"
  int64_t out_features = 0, in_features = 0, rank = 0;
  std::vector<double> singular_values;  // of scaling · B·A, descending, `rank` of them
  double frobenius_norm = 0;            // ‖ΔW‖_F = sqrt(Σ σ²)
  double spectral_norm = 0;             // σ₁
  double top_energy = 0;                // σ₁² / Σ σ²: 1 when the update is one direction
  double effective_rank = 0;            // exp(entropy of σᵢ²/Σσ²) (Roy & Vetterli 2007), 1..rank
  // Robust z-score of log ‖ΔW‖_F against the same kind in the other layers of this adapter.
  double layer_z = 0;
  // Against the same module in the reference adapters; 0 without references.
  double reference_z = 0;
};

struct LayerSummary {
  int64_t layer = 0;
  double frobenius_norm = 0;  // sqrt of Σ over the layer's modules of ‖ΔW‖_F²
  double max_abs_z = 0;       // the layer's most anomalous module (reference_z when available)
};

struct WeightScreenOptions {
  double outlier_z = 3.5;  // |z| at or above this names a module an outlier (Iglewicz & Hoaglin)
};

struct WeightScreenReport {
  std::vector<ModuleSpectrum> modules;  // in module-name order
  std::vector<LayerSummary> layers;     // ranked: most anomalous first
  std::vector<std::string> outliers;    // modules with |z| ≥ outlier_z
  size_t references = 0;
  double total_frobenius_norm = 0;
  double seconds = 0;
};

// kInvalidArgument when a reference adapter has a different rank structure is not an error:
// modules absent from a reference are simply not compared. Errors come only from libtorch.
Result<WeightScreenReport> screen_adapter(const runtime::LoraAdapter& adapter,
                                          std::span<const runtime::LoraAdapter* const> references,
                                          const WeightScreenOptions& options = {});

// Robust z-score of `value` against `sample`: (value − median) / (1.4826 · MAD); 0 when the
// sample has fewer than 3 values, and measured against 1.253 · mean absolute deviation when the
// MAD is 0 (Iglewicz & Hoaglin's fallback). Exposed for tests.
double robust_z(double value, std::vector<double> sample);

// The report as JSON (an object), for the CLI and the evidence store.
std::string weight_screen_json(const WeightScreenReport& report);

}  // namespace alignwatch::scan::adapter
