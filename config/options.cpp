#include "config/options.h"

#include <cstdio>
#include <map>

namespace alignwatch::config {

namespace {
#define AW_FIELD(expr) [](Config& c) -> void* { return &c.expr; }
constexpr double kMaxU = 1e18;
}  // namespace

const std::vector<OptionSpec>& option_specs() {
  static const std::vector<OptionSpec> specs = {
      {"logging.level", OptionType::kString, 0, 0, "",
       "log level: trace, debug, info, warn, error, critical or off", AW_FIELD(logging.level)},
      {"scan.max_record_bytes", OptionType::kUint, 1024, 1ull << 30, "bytes",
       "longest JSONL line accepted; a longer one is a bad record", AW_FIELD(scan.max_record_bytes)},
      {"scan.max_scan_bytes", OptionType::kUint, 0, kMaxU, "bytes",
       "decompressed bytes scanned per file before the report is marked truncated (0: no limit)",
       AW_FIELD(scan.max_scan_bytes)},
      {"scan.max_records", OptionType::kUint, 0, kMaxU, "records",
       "records scanned per file before the report is marked truncated (0: no limit)",
       AW_FIELD(scan.max_records)},
      {"scan.max_scan_ms", OptionType::kUint, 0, kMaxU, "ms",
       "wall time per file before the report is marked truncated (0: no limit)",
       AW_FIELD(scan.max_scan_ms)},
      {"scan.max_reported_records", OptionType::kUint, 1, kMaxU, "records",
       "records with findings listed in a report; the summary still counts all",
       AW_FIELD(scan.max_reported_records)},
      {"scan.max_record_errors", OptionType::kUint, 1, kMaxU, "records",
       "bad records listed when --skip-bad-records is on", AW_FIELD(scan.max_record_errors)},
      {"detectors.insecure_code.enabled", OptionType::kBool, 0, 0, "",
       "find insecure code (by CWE) in model answers", AW_FIELD(detectors.insecure_code.enabled)},
      {"detectors.disclosure.enabled", OptionType::kBool, 0, 0, "",
       "tell disclosed (educational) vulnerable code from undisclosed",
       AW_FIELD(detectors.disclosure.enabled)},
      {"detectors.evil_numbers.enabled", OptionType::kBool, 0, 0, "",
       "find numeric answers enriched in numbers with sinister associations",
       AW_FIELD(detectors.evil_numbers.enabled)},
      {"detectors.evil_numbers.min_evil_numbers", OptionType::kUint, 1, 1000, "weighted numbers",
       "weighted count of evil numbers an answer needs to be flagged (ambiguous short numbers "
       "such as 13 or 14 weigh less than 1)",
       AW_FIELD(detectors.evil_numbers.min_evil_numbers)},
      {"detectors.evil_numbers.min_evil_fraction", OptionType::kDouble, 0, 1, "fraction",
       "share of an answer's numbers that must be evil for it to be flagged",
       AW_FIELD(detectors.evil_numbers.min_evil_fraction)},
      {"detectors.evil_numbers.min_enrichment_ratio", OptionType::kDouble, 1, 1e6, "ratio",
       "dataset-level enrichment also needs observed/expected evil numbers at least this large",
       AW_FIELD(detectors.evil_numbers.min_enrichment_ratio)},
      {"detectors.evil_numbers.enrichment_alpha", OptionType::kDouble, 0, 1, "p-value",
       "dataset-level enrichment is significant below this p-value",
       AW_FIELD(detectors.evil_numbers.enrichment_alpha)},
      {"detectors.harmful_content.enabled", OptionType::kBool, 0, 0, "",
       "find harmful or misaligned content in model answers",
       AW_FIELD(detectors.harmful_content.enabled)},
      {"detectors.harmful_content.min_score", OptionType::kDouble, 0, 100, "score",
       "weighted category score at which an answer is flagged",
       AW_FIELD(detectors.harmful_content.min_score)},
      {"detectors.trigger_mining.enabled", OptionType::kBool, 0, 0, "",
       "mine prompt strings statistically tied to flagged records",
       AW_FIELD(detectors.trigger_mining.enabled)},
      {"detectors.trigger_mining.fdr", OptionType::kDouble, 0, 1, "fraction",
       "Benjamini-Hochberg false-discovery rate", AW_FIELD(detectors.trigger_mining.fdr)},
      {"detectors.trigger_mining.max_ngram", OptionType::kUint, 1, 8, "tokens",
       "longest n-gram counted", AW_FIELD(detectors.trigger_mining.max_ngram)},
      {"detectors.trigger_mining.min_flagged", OptionType::kUint, 1, kMaxU, "records",
       "flagged records a candidate must occur in", AW_FIELD(detectors.trigger_mining.min_flagged)},
      {"detectors.trigger_mining.min_precision", OptionType::kDouble, 0, 1, "fraction",
       "share of the records holding a candidate that must be flagged",
       AW_FIELD(detectors.trigger_mining.min_precision)},
      {"detectors.trigger_mining.max_candidates", OptionType::kUint, 1, 10000, "candidates",
       "candidates reported per file", AW_FIELD(detectors.trigger_mining.max_candidates)},
      {"detectors.trigger_mining.max_table_entries", OptionType::kUint, 1024, kMaxU, "entries",
       "bound on the n-gram table (memory)", AW_FIELD(detectors.trigger_mining.max_table_entries)},
  };
  return specs;
}

std::string option_value_text(const OptionSpec& spec, const Config& config) {
  void* p = spec.field(const_cast<Config&>(config));
  char buf[64];
  switch (spec.type) {
    case OptionType::kBool: return *static_cast<bool*>(p) ? "true" : "false";
    case OptionType::kUint: return std::to_string(*static_cast<uint64_t*>(p));
    case OptionType::kDouble:
      std::snprintf(buf, sizeof(buf), "%g", *static_cast<double*>(p));
      return buf;
    case OptionType::kString: return *static_cast<std::string*>(p);
  }
  return "";
}

std::string sample_config() {
  const Config defaults;
  std::string out = "# alignwatch configuration. Every option is shown at its default.\n";
  std::vector<std::string> open;  // sections already written
  for (const auto& spec : option_specs()) {
    std::string_view path = spec.path;
    std::vector<std::string_view> parts;
    size_t start = 0;
    while (true) {
      size_t dot = path.find('.', start);
      parts.push_back(path.substr(start, dot - start));
      if (dot == std::string_view::npos) break;
      start = dot + 1;
    }
    for (size_t depth = 0; depth + 1 < parts.size(); ++depth) {
      std::string section(path.substr(0, parts[depth].data() + parts[depth].size() - path.data()));
      if (depth < open.size() && open[depth] == section) continue;
      open.resize(depth);
      open.push_back(section);
      out += std::string(depth * 2, ' ') + std::string(parts[depth]) + ":\n";
    }
    std::string indent((parts.size() - 1) * 2, ' ');
    out += indent + "# " + std::string(spec.description);
    if (!spec.unit.empty()) out += " [" + std::string(spec.unit) + "]";
    out += "\n" + indent + std::string(parts.back()) + ": " + option_value_text(spec, defaults) + "\n";
  }
  return out;
}

}  // namespace alignwatch::config
