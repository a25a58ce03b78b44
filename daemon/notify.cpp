// sd_notify through libsystemd; without it the daemon simply does not notify.
#include "daemon/notify.hpp"

#include <string>

#include "calendarbot_config.h"
#if CB_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

namespace cb::daemon {

void SystemdNotifier::notify(std::string_view state) {
#if CB_HAVE_SYSTEMD
  const std::string s(state);
  sd_notify(0, s.c_str());
#else
  (void)state;
#endif
}

std::optional<std::chrono::microseconds> SystemdNotifier::watchdogPeriod() const {
#if CB_HAVE_SYSTEMD
  std::uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) return std::chrono::microseconds{usec};
#endif
  return std::nullopt;
}

}  // namespace cb::daemon
