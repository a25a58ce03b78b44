// SystemdNotifier: sd_notify's datagram to file-system and abstract sockets, and the
// watchdog period from WATCHDOG_USEC/WATCHDOG_PID as sd_watchdog_enabled(3) reads them.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

#include "daemon/notify.hpp"

using cb::daemon::SystemdNotifier;

namespace {

// Binds a datagram socket at `name` ("/path" or "@abstract") and returns its fd.
int bindAt(const std::string& name) {
  const int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  REQUIRE(fd >= 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, name.data(), name.size());
  if (name[0] == '@') addr.sun_path[0] = '\0';
  const auto len = socklen_t(offsetof(sockaddr_un, sun_path) + name.size() + (name[0] == '/'));
  REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&addr), len) == 0);
  return fd;
}

std::string receive(int fd) {
  char buf[512];
  const ssize_t n = recv(fd, buf, sizeof buf, 0);
  return n > 0 ? std::string(buf, std::size_t(n)) : std::string();
}

}  // namespace

TEST_CASE("notifications reach file-system and abstract NOTIFY_SOCKETs", "[daemon]") {
  SystemdNotifier n;
  const std::string path =
      (std::filesystem::temp_directory_path() / ("cb-notify-" + std::to_string(getpid()))).string();
  std::filesystem::remove(path);
  const int fs = bindAt(path);
  setenv("NOTIFY_SOCKET", path.c_str(), 1);
  n.notify("READY=1\nSTATUS=one");
  CHECK(receive(fs) == "READY=1\nSTATUS=one");
  close(fs);
  std::filesystem::remove(path);

  const std::string abstract = "@cb-notify-test-" + std::to_string(getpid());
  const int ab = bindAt(abstract);
  setenv("NOTIFY_SOCKET", abstract.c_str(), 1);
  n.notify("WATCHDOG=1");
  CHECK(receive(ab) == "WATCHDOG=1");
  close(ab);

  setenv("NOTIFY_SOCKET", "not-a-socket", 1);
  n.notify("READY=1");  // nothing to reach: quietly nothing
  unsetenv("NOTIFY_SOCKET");
  n.notify("READY=1");
}

TEST_CASE("the watchdog period is ours only when WATCHDOG_PID is unset or our pid", "[daemon]") {
  SystemdNotifier n;
  unsetenv("WATCHDOG_PID");
  unsetenv("WATCHDOG_USEC");
  CHECK_FALSE(n.watchdogPeriod());
  setenv("WATCHDOG_USEC", "30000000", 1);
  REQUIRE(n.watchdogPeriod());
  CHECK(n.watchdogPeriod()->count() == 30000000);
  setenv("WATCHDOG_PID", std::to_string(getpid()).c_str(), 1);
  CHECK(n.watchdogPeriod());
  setenv("WATCHDOG_PID", std::to_string(getpid() + 1).c_str(), 1);
  CHECK_FALSE(n.watchdogPeriod());  // meant for another process
  unsetenv("WATCHDOG_PID");
  setenv("WATCHDOG_USEC", "soon", 1);
  CHECK_FALSE(n.watchdogPeriod());
  setenv("WATCHDOG_USEC", "0", 1);
  CHECK_FALSE(n.watchdogPeriod());
  unsetenv("WATCHDOG_USEC");
}
