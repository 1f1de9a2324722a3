#include "core/logging.h"

#include <cstdlib>
#include <mutex>
#include <string>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/systemd_sink.h>
#include <spdlog/spdlog.h>

namespace alignwatch {

namespace {
std::mutex g_logging_mutex;
spdlog::level::level_enum g_level = spdlog::level::info;
spdlog::sink_ptr g_sink;  // set by init_logging; stderr until then

spdlog::sink_ptr default_sink() {
  // systemd sets JOURNAL_STREAM when stderr goes to the journal: log there natively, with
  // priorities, instead of as plain lines.
  if (std::getenv("JOURNAL_STREAM") != nullptr) {
    return std::make_shared<spdlog::sinks::systemd_sink_mt>("alignwatch");
  }
  return std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
}
}  // namespace

void init_logging(std::string_view level) {
  std::lock_guard lock(g_logging_mutex);
  g_level = spdlog::level::from_str(std::string(level));
  if (!g_sink) g_sink = default_sink();
  spdlog::set_level(g_level);
  spdlog::apply_all([](const std::shared_ptr<spdlog::logger>& logger) {
    logger->set_level(g_level);
  });
  // ISO-8601 time, logger name, level, message.
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %n %l: %v");
}

std::shared_ptr<spdlog::logger> get_logger(std::string_view name) {
  std::lock_guard lock(g_logging_mutex);
  std::string key(name);
  if (auto existing = spdlog::get(key)) return existing;
  if (!g_sink) g_sink = default_sink();
  auto logger = std::make_shared<spdlog::logger>(key, g_sink);
  logger->set_level(g_level);
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %n %l: %v");
  spdlog::register_logger(logger);
  return logger;
}

}  // namespace alignwatch
