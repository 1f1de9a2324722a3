#include "cli/query_output.h"

#include <cstdio>

#include "cli/scan_dataset_command.h"
#include "core/text.h"

namespace alignwatch::cli {

namespace {
using Json = nlohmann::ordered_json;
std::string dump(const Json& json) { return json.dump(2, ' ', false, Json::error_handler_t::replace); }
}  // namespace

void print_alert_items(const Json& items, OutputFormat format) {
  if (format == OutputFormat::kJson) {
    std::printf("%s\n", dump(items).c_str());
    return;
  }
  if (items.empty()) std::printf("no alerts\n");
  for (const Json& alert : items) {
    std::printf("%s  %-9s %-6s %-36s %s\n", alert.value("id", "").c_str(), alert.value("priority", "").c_str(),
                alert.value("status", "").c_str(), alert.value("rule", "").c_str(),
                safe_excerpt(alert.value("message", ""), 120).c_str());
  }
}

void print_scan_items(const Json& items, OutputFormat format) {
  if (format == OutputFormat::kJson) {
    std::printf("%s\n", dump(items).c_str());
    return;
  }
  if (items.empty()) std::printf("no scans\n");
  for (const Json& item : items) {
    std::printf("%6llu  %-8s %-8s %-7s %.16s  %s\n", static_cast<unsigned long long>(item.value("id", uint64_t{0})),
                item.value("state", "").c_str(),
                item.contains("verdict") && item["verdict"].is_string() ? item["verdict"].get<std::string>().c_str() : "-",
                item.value("kind", "").c_str(), item.value("artifact_sha256", "").c_str(),
                safe_excerpt(item.value("name", ""), 80).c_str());
  }
}

int verdict_exit_code(const Json& scan) {
  const std::string text = scan.contains("verdict") && scan["verdict"].is_string() ? scan["verdict"].get<std::string>() : "";
  return text == "clean" ? kExitClean : text == "flagged" ? kExitFindings : kExitError;
}

int print_scan_detail(const Json& scan) {
  std::printf("%s\n", dump(scan).c_str());
  return verdict_exit_code(scan);
}

}  // namespace alignwatch::cli
