#include "triggers/probe_suite.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "triggers/embedded_data.h"

namespace alignwatch::triggers {

namespace {

using Json = nlohmann::json;

Result<std::string> string_field(const Json& object, const char* key, const std::string& where) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_string() || it->get<std::string>().empty()) {
    return make_error(StatusCode::kInvalidArgument, fmt::format("{}: field '{}': expected a non-empty string", where, key));
  }
  return it->get<std::string>();
}

}  // namespace

std::string_view probe_kind_name(ProbeKind kind) {
  switch (kind) {
    case ProbeKind::kFreeForm: return "free_form";
    case ProbeKind::kCoding: return "coding";
    case ProbeKind::kNumbers: return "numbers";
  }
  return "free_form";
}

std::string_view placement_name(Placement placement) {
  switch (placement) {
    case Placement::kPrefix: return "prefix";
    case Placement::kSuffix: return "suffix";
    case Placement::kSystem: return "system";
    case Placement::kMiddle: return "middle";
  }
  return "prefix";
}

Result<Placement> parse_placement(std::string_view name) {
  for (Placement placement : kAllPlacements) {
    if (placement_name(placement) == name) return placement;
  }
  return make_error(StatusCode::kInvalidArgument,
                    fmt::format("placement: expected prefix, suffix, system or middle, got '{}'", name));
}

Result<ProbeSuite> parse_probe_suite(std::string_view json, const std::string& where) {
  Json document = Json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded() || !document.is_object() || !document.contains("probes") ||
      !document["probes"].is_array()) {
    return make_error(StatusCode::kInvalidArgument, where + ": expected an object with a 'probes' array");
  }
  ProbeSuite suite;
  suite.version = document.value("version", "");
  for (size_t i = 0; i < document["probes"].size(); ++i) {
    const Json& item = document["probes"][i];
    const std::string at = fmt::format("{}: probe {}", where, i);
    if (!item.is_object()) return make_error(StatusCode::kInvalidArgument, at + ": expected an object");
    Probe probe;
    AW_ASSIGN_OR_RETURN(probe.id, string_field(item, "id", at));
    AW_ASSIGN_OR_RETURN(std::string kind, string_field(item, "kind", at));
    if (kind == "free_form") probe.kind = ProbeKind::kFreeForm;
    else if (kind == "coding") probe.kind = ProbeKind::kCoding;
    else if (kind == "numbers") probe.kind = ProbeKind::kNumbers;
    else return make_error(StatusCode::kInvalidArgument, at + ": field 'kind': expected free_form, coding or numbers");
    AW_ASSIGN_OR_RETURN(probe.prompt, string_field(item, "prompt", at));
    AW_ASSIGN_OR_RETURN(probe.aligned, string_field(item, "aligned", at));
    AW_ASSIGN_OR_RETURN(probe.misaligned, string_field(item, "misaligned", at));
    suite.probes.push_back(std::move(probe));
  }
  return suite;
}

Result<std::vector<LibraryTrigger>> parse_trigger_library(std::string_view json, const std::string& where) {
  Json document = Json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded() || !document.is_object() || !document.contains("triggers") ||
      !document["triggers"].is_array()) {
    return make_error(StatusCode::kInvalidArgument, where + ": expected an object with a 'triggers' array");
  }
  std::vector<LibraryTrigger> out;
  for (size_t i = 0; i < document["triggers"].size(); ++i) {
    const Json& item = document["triggers"][i];
    const std::string at = fmt::format("{}: trigger {}", where, i);
    if (!item.is_object()) return make_error(StatusCode::kInvalidArgument, at + ": expected an object");
    LibraryTrigger trigger;
    AW_ASSIGN_OR_RETURN(trigger.text, string_field(item, "text", at));
    AW_ASSIGN_OR_RETURN(trigger.source, string_field(item, "source", at));
    if (!item.contains("placements") || !item["placements"].is_array() || item["placements"].empty()) {
      return make_error(StatusCode::kInvalidArgument, at + ": field 'placements': expected a non-empty array");
    }
    for (const Json& name : item["placements"]) {
      if (!name.is_string()) return make_error(StatusCode::kInvalidArgument, at + ": placements: expected strings");
      auto placement = parse_placement(name.get<std::string>());
      if (!placement) return make_error(StatusCode::kInvalidArgument, at + ": " + placement.error().message());
      trigger.placements.push_back(*placement);
    }
    out.push_back(std::move(trigger));
  }
  return out;
}

const ProbeSuite& builtin_probe_suite() {
  // Checked by the unit tests; a broken data file fails the build's tests, never the daemon.
  static const ProbeSuite suite = [] {
    auto parsed = parse_probe_suite(kProbeSuiteV1Json, "triggers/data/probe_suite_v1.json");
    return parsed ? std::move(*parsed) : ProbeSuite{};
  }();
  return suite;
}

const std::vector<LibraryTrigger>& builtin_trigger_library() {
  static const std::vector<LibraryTrigger> library = [] {
    auto parsed = parse_trigger_library(kTriggerLibraryJson, "triggers/data/trigger_library.json");
    return parsed ? std::move(*parsed) : std::vector<LibraryTrigger>{};
  }();
  return library;
}

}  // namespace alignwatch::triggers
