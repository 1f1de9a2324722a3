#pragma once
// How the CLI prints alerts and scans, the same whether they came from the local store or the
// HTTPS API.

#include <nlohmann/json.hpp>

#include "cli/store_commands.h"

namespace alignwatch::cli {

void print_alert_items(const nlohmann::ordered_json& items, OutputFormat format);
void print_scan_items(const nlohmann::ordered_json& items, OutputFormat format);
// A scan's detail as JSON; returns the exit code its verdict means (0 clean, 1 flagged, 2 other).
int print_scan_detail(const nlohmann::ordered_json& scan);
// A scan's verdict as an exit code: 0 clean, 1 flagged, 2 failed or none yet.
int verdict_exit_code(const nlohmann::ordered_json& scan);

}  // namespace alignwatch::cli
