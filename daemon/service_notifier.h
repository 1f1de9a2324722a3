#pragma once
// The daemon's messages to systemd (sd_notify): READY=1, RELOADING=1 with MONOTONIC_USEC,
// STOPPING=1, STATUS=..., WATCHDOG=1. Without NOTIFY_SOCKET every call does nothing.

#include <chrono>
#include <optional>
#include <string_view>

namespace alignwatch::daemon {

class ServiceNotifier {
 public:
  void ready(std::string_view status);
  void reloading();
  void stopping();
  void status(std::string_view status);
  void watchdog();
  // The watchdog period systemd asked for (WATCHDOG_USEC), if any.
  static std::optional<std::chrono::microseconds> watchdog_period();
};

}  // namespace alignwatch::daemon
