// sd_notify(3)'s protocol spoken directly: one datagram to $NOTIFY_SOCKET. The protocol is
// stable and documented for exactly this use; linking libsystemd for it mapped seven
// libraries and ~1 MB of resident pages, a twentieth of the daemon's memory budget.
#include "daemon/notify.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <charconv>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <string>

#include "hal/sys.hpp"

namespace cb::daemon {
namespace {

std::string_view env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::string_view{} : std::string_view(v);
}

}  // namespace

void SystemdNotifier::notify(std::string_view state) {
  const std::string_view path = env("NOTIFY_SOCKET");
  // A file-system socket ("/run/...") or an abstract one ("@name"); anything else is not ours.
  if (path.size() < 2 || (path[0] != '/' && path[0] != '@')) return;
  sockaddr_un addr{};
  if (path.size() >= sizeof addr.sun_path) return;
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.data(), path.size());
  if (path[0] == '@') addr.sun_path[0] = '\0';
  const socklen_t len =
      socklen_t(offsetof(sockaddr_un, sun_path) + path.size() + (path[0] == '/' ? 1 : 0));
  const hal::UniqueFd fd(hal::realSys(), socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return;
  // Best effort, as sd_notify(): systemd may be gone or not listening.
  (void)sendto(fd.get(), state.data(), state.size(), MSG_NOSIGNAL,
               reinterpret_cast<const sockaddr*>(&addr), len);
}

std::optional<std::chrono::microseconds> SystemdNotifier::watchdogPeriod() const {
  // sd_watchdog_enabled(3): WATCHDOG_USEC, meant for us when WATCHDOG_PID is unset or ours.
  const std::string_view pid = env("WATCHDOG_PID");
  if (!pid.empty()) {
    long p = 0;
    const auto [end, ec] = std::from_chars(pid.data(), pid.data() + pid.size(), p);
    if (ec != std::errc{} || end != pid.data() + pid.size() || p != long(getpid()))
      return std::nullopt;
  }
  const std::string_view usec = env("WATCHDOG_USEC");
  unsigned long long us = 0;
  const auto [end, ec] = std::from_chars(usec.data(), usec.data() + usec.size(), us);
  if (usec.empty() || ec != std::errc{} || end != usec.data() + usec.size() || us == 0)
    return std::nullopt;
  return std::chrono::microseconds{us};
}

}  // namespace cb::daemon
