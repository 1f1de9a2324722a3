#include "report/report_meta.h"

#include <fmt/format.h>

#include <ctime>

namespace alignwatch::report {

std::string_view alignwatch_version() { return ALIGNWATCH_VERSION; }

std::string format_utc_timestamp(std::chrono::system_clock::time_point time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}Z", utc.tm_year + 1900,
                     utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec);
}

}  // namespace alignwatch::report
