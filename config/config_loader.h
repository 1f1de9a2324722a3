#pragma once
// Loads alignwatch's YAML configuration over the embedded defaults. Unknown keys, wrong types
// and values out of range are errors that name file:line:column.

#include <string>
#include <string_view>

#include "config/config.h"
#include "core/status.h"

namespace alignwatch::config {

Result<Config> load_config_file(const std::string& path);
// The CLI's --config: the file when `path` is given, the embedded defaults when it is empty.
Result<Config> load_config_file_or_defaults(const std::string& path);
// `name` is used in error locations (a file name or "<inline>").
Result<Config> load_config_string(std::string_view yaml, const std::string& name);

}  // namespace alignwatch::config
