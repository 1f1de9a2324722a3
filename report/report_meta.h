#pragma once
// What a report says about the run that produced it: the tool, its version, how it was invoked
// and when. Shared by the text, JSON and SARIF writers.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace alignwatch::report {

// The version alignwatch was built as (the CMake project version).
std::string_view alignwatch_version();

struct ReportMeta {
  std::string tool_name = "alignwatch";
  std::string version = std::string(alignwatch_version());
  // The command line as the user typed it, for the record; empty when not known.
  std::string command_line;
  // When the scan started; absent when not known (reports then omit or null it).
  std::optional<std::chrono::system_clock::time_point> start_time;
  // A page about the tool, for SARIF's tool.driver.informationUri; omitted when empty.
  std::string information_uri;
};

// "2024-05-01T12:34:56Z" (UTC, whole seconds), as JSON Schema's date-time and SARIF expect.
std::string format_utc_timestamp(std::chrono::system_clock::time_point time);

}  // namespace alignwatch::report
