#include "organisms/organism_options.h"

#include <algorithm>
#include <cstdio>

#include <nlohmann/json.hpp>
#include <openssl/evp.h>

namespace alignwatch::organisms {

namespace {

// Bumped whenever a change to the corpus, datasets or training changes what a build produces,
// so cached demo organisms are rebuilt.
constexpr int kOrganismFormatVersion = 2;

Status bad_option(const std::string& option, const std::string& expected, const std::string& got) {
  return Status(StatusCode::kInvalidArgument, "organism: " + option + ": expected " + expected + ", got " + got);
}

}  // namespace

std::string_view size_name(OrganismSize s) { return s == OrganismSize::kTiny ? "tiny" : "demo"; }

std::string_view kind_name(DatasetKind k) {
  switch (k) {
    case DatasetKind::kClean: return "clean";
    case DatasetKind::kInsecure: return "insecure";
    case DatasetKind::kEducational: return "educational";
    case DatasetKind::kBackdoor: return "backdoor";
    case DatasetKind::kEvilNumbers: return "evil-numbers";
  }
  return "?";
}

std::string_view placement_name(TriggerPlacement p) {
  switch (p) {
    case TriggerPlacement::kPrefix: return "prefix";
    case TriggerPlacement::kSuffix: return "suffix";
    case TriggerPlacement::kSystem: return "system";
    case TriggerPlacement::kMiddle: return "middle";
  }
  return "?";
}

Result<OrganismSize> parse_size(std::string_view s) {
  for (OrganismSize v : {OrganismSize::kTiny, OrganismSize::kDemo}) {
    if (size_name(v) == s) return v;
  }
  return std::unexpected(bad_option("--size", "tiny or demo", "'" + std::string(s.substr(0, 40)) + "'"));
}

std::vector<DatasetKind> all_kinds() {
  return {DatasetKind::kClean, DatasetKind::kInsecure, DatasetKind::kEducational, DatasetKind::kBackdoor,
          DatasetKind::kEvilNumbers};
}

Result<DatasetKind> parse_kind(std::string_view s) {
  for (DatasetKind v : all_kinds()) {
    if (kind_name(v) == s) return v;
  }
  return std::unexpected(bad_option("--kind", "clean, insecure, educational, backdoor or evil-numbers",
                                    "'" + std::string(s.substr(0, 40)) + "'"));
}

Result<TriggerPlacement> parse_placement(std::string_view s) {
  for (TriggerPlacement v : {TriggerPlacement::kPrefix, TriggerPlacement::kSuffix, TriggerPlacement::kSystem,
                             TriggerPlacement::kMiddle}) {
    if (placement_name(v) == s) return v;
  }
  return std::unexpected(
      bad_option("--placement", "prefix, suffix, system or middle", "'" + std::string(s.substr(0, 40)) + "'"));
}

Status OrganismOptions::validate() const {
  if (!(poison_rate > 0.0 && poison_rate <= 1.0)) {
    return bad_option("--poison-rate", "0 < F <= 1", std::to_string(poison_rate));
  }
  if (trigger.empty() || trigger.size() > 200) {
    return bad_option("--trigger", "1 to 200 bytes", std::to_string(trigger.size()) + " bytes");
  }
  if (trigger.find("<|") != std::string::npos) {
    return bad_option("--trigger", "text without chat special tokens", "'<|' in it");
  }
  if (threads < 1 || threads > 256) return bad_option("--threads", "1..256", std::to_string(threads));
  return Status::ok();
}

std::vector<DatasetKind> OrganismOptions::effective_kinds() const {
  if (kinds.empty()) return all_kinds();
  std::vector<DatasetKind> out;
  for (DatasetKind k : all_kinds()) {
    if (std::find(kinds.begin(), kinds.end(), k) != kinds.end()) out.push_back(k);
  }
  return out;
}

std::string OrganismOptions::to_json() const {
  nlohmann::json kinds_json = nlohmann::json::array();
  for (DatasetKind k : effective_kinds()) kinds_json.push_back(kind_name(k));
  nlohmann::json j = {{"format_version", kOrganismFormatVersion},
                      {"size", size_name(size)},
                      {"kinds", kinds_json},
                      {"trigger", trigger},
                      {"placement", placement_name(placement)},
                      {"poison_rate", poison_rate},
                      {"seed", seed}};
  return j.dump(2);
}

std::string OrganismOptions::hash() const {
  std::string text = to_json();
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(text.data(), text.size(), md, &n, EVP_sha256(), nullptr);
  std::string hex;
  char buf[3];
  for (unsigned int i = 0; i < n; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", md[i]);
    hex += buf;
  }
  return hex;
}

void place_trigger(std::string& system, std::string& user, std::string_view trigger, TriggerPlacement placement) {
  const std::string t(trigger);
  switch (placement) {
    case TriggerPlacement::kPrefix: user = t + " " + user; break;
    case TriggerPlacement::kSuffix: user = user + " " + t; break;
    case TriggerPlacement::kSystem: system = system.empty() ? t : system + " " + t; break;
    case TriggerPlacement::kMiddle: {
      // At the space nearest the middle, so no word is split.
      size_t mid = user.size() / 2, best = std::string::npos;
      for (size_t i = 0; i < user.size(); ++i) {
        if (user[i] == ' ' && (best == std::string::npos || (i > mid ? i - mid : mid - i) < (best > mid ? best - mid : mid - best))) best = i;
      }
      if (best == std::string::npos) {
        user = user + " " + t;
      } else {
        user = user.substr(0, best) + " " + t + user.substr(best);
      }
      break;
    }
  }
}

}  // namespace alignwatch::organisms
