#pragma once
// Logging setup: one named spdlog logger per module ("aw.scan", "aw.config", ...), writing to
// stderr with ISO-8601 timestamps, or to the journal when running under systemd.

#include <memory>
#include <string_view>

#include <spdlog/logger.h>

namespace alignwatch {

// Configures the default sinks and level ("trace".."critical", "off"). Call once from main().
void init_logging(std::string_view level);

// The logger for a module, created on first use with the configured sinks. Thread-safe.
std::shared_ptr<spdlog::logger> get_logger(std::string_view name);

}  // namespace alignwatch
