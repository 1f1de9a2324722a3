#include "core/logging.h"

#include <cstdlib>
#include <mutex>
#include <string>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace alignwatch {

namespace {
std::mutex g_logging_mutex;
spdlog::level::level_enum g_level = spdlog::level::info;
}  // namespace

void init_logging(std::string_view level) {
  std::lock_guard lock(g_logging_mutex);
  g_level = spdlog::level::from_str(std::string(level));
  spdlog::set_level(g_level);
  // ISO-8601 time, logger name, level, message.
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %n %l: %v");
}

std::shared_ptr<spdlog::logger> get_logger(std::string_view name) {
  std::lock_guard lock(g_logging_mutex);
  std::string key(name);
  if (auto existing = spdlog::get(key)) return existing;
  auto logger = spdlog::stderr_color_mt(key);
  logger->set_level(g_level);
  return logger;
}

}  // namespace alignwatch
