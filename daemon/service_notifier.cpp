#include "daemon/service_notifier.h"

#include <ctime>
#include <string>

#include <systemd/sd-daemon.h>

namespace alignwatch::daemon {

namespace {

void notify(const std::string& message) {
  // A failed notification (no socket, systemd gone) must not stop the daemon; there is no one
  // to tell.
  (void)sd_notify(0, message.c_str());
}

}  // namespace

void ServiceNotifier::ready(std::string_view status) {
  notify("READY=1\nSTATUS=" + std::string(status));
}

void ServiceNotifier::reloading() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  const long long usec = static_cast<long long>(now.tv_sec) * 1000000 + now.tv_nsec / 1000;
  notify("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec));
}

void ServiceNotifier::stopping() { notify("STOPPING=1"); }

void ServiceNotifier::status(std::string_view status) { notify("STATUS=" + std::string(status)); }

void ServiceNotifier::watchdog() { notify("WATCHDOG=1"); }

std::optional<std::chrono::microseconds> ServiceNotifier::watchdog_period() {
  uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return std::nullopt;
  return std::chrono::microseconds(usec);
}

}  // namespace alignwatch::daemon
