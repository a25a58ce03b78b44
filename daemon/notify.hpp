// Notifier: sd_notify READY/STATUS/WATCHDOG/RELOADING/STOPPING, a no-op outside systemd.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace cb::daemon {

class Notifier {
 public:
  virtual ~Notifier() = default;
  // `state` is one sd_notify assignment list such as "READY=1\nSTATUS=...".
  virtual void notify(std::string_view state) = 0;
  // The watchdog period systemd asked for (WATCHDOG_USEC), if any.
  [[nodiscard]] virtual std::optional<std::chrono::microseconds> watchdogPeriod() const = 0;
};

// sd_notify(3)'s datagram to $NOTIFY_SOCKET; nothing when the variable is unset.
class SystemdNotifier final : public Notifier {
 public:
  void notify(std::string_view state) override;
  [[nodiscard]] std::optional<std::chrono::microseconds> watchdogPeriod() const override;
};

}  // namespace cb::daemon
