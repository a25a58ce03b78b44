// `calendarbot run`: load the config, open the display, run the loop.
#include <fmt/format.h>
#include <malloc.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "calendarbot_config.h"
#include "daemon/app.hpp"
#include "daemon/args.hpp"
#include "daemon/cli.hpp"
#include "daemon/fetch_child.hpp"
#include "daemon/log.hpp"
#include "daemon/loop.hpp"

namespace cb::daemon {

int cmdRun(const std::vector<std::string_view>& argv, hal::Clock& clock) {
  Args args(argv, {"config", "display"}, {"help", "once"});
  if (args.has("help")) {
    std::fputs(
        "usage: calendarbot run [--config PATH] [--once] [--display KIND:PATH]\n"
        "\n"
        "Runs the daemon with the config (default " CB_DEFAULT_CONFIG
        "): draws the last\n"
        "good data at once, fetches the sources, and redraws on every wall-clock minute.\n"
        "SIGTERM/SIGINT stop it, SIGHUP reloads the config, SIGUSR1 shows the next layout,\n"
        "SIGUSR2 fetches every source now.\n"
        "  --once               fetch every source once, draw one frame and exit\n"
        "  --display KIND:PATH  override [display] kind and path, e.g. png:/tmp/cal.png\n"
        "                       or framebuffer:/dev/fb0\n"
        "Environment: CALENDARBOT_MONITORING=1 logs resource figures every 5 minutes.\n",
        stdout);
    return kOk;
  }
  if (!args.error().empty() || !args.positional().empty()) {
    fmt::print(stderr, "calendarbot run: {}\n",
               args.error().empty() ? "unexpected argument" : args.error());
    return kUsage;
  }
  const std::string configPath = args.value("config").value_or(CB_DEFAULT_CONFIG);
  ConfigResult cr = loadConfig(configPath);
  for (const std::string& e : cr.errors) log::error("{}", e);
  if (!cr.ok()) return kFailure;
  if (const auto d = args.value("display")) {
    const std::size_t colon = d->find(':');
    cr.config.display.kind = d->substr(0, colon);
    if (colon != std::string::npos) cr.config.display.path = d->substr(colon + 1);
  }
  if (const char* m = std::getenv("CALENDARBOT_MONITORING"); m && std::string_view(m) == "1")
    cr.config.monitoring = true;
  log::Level level = log::Level::Info;
  if (log::parseLevel(cr.config.logLevel, level)) log::setLevel(level);

  // The heap of a months-long daemon: one arena (Pango's short-lived font
  // thread would otherwise keep one of its own), and fixed thresholds so frame
  // and ingest buffers are always mapped apart and unmapped when freed (glibc's
  // dynamic threshold would move them into the heap after the first one).
  mallopt(M_ARENA_MAX, 1);
  mallopt(M_MMAP_THRESHOLD, 128 * 1024);
  mallopt(M_TRIM_THRESHOLD, 128 * 1024);

  std::string error;
  hal::SteadyClock mono;
  auto display = hal::createDisplay(cr.config.display, error, &mono);
  // At boot the service may start while the display's driver is still being loaded (no
  // /dev/fb0 yet) or before udev has given the node to group video: that is waited for, and
  // only a display still missing after kDisplayWait is an error (systemd then restarts us).
  constexpr std::chrono::seconds kDisplayWait{30};
  constexpr std::chrono::milliseconds kDisplayPoll{250};
  if (!display) log::info("{}; waiting up to {} s for it", error, kDisplayWait.count());
  for (auto waited = std::chrono::milliseconds{0}; !display && waited < kDisplayWait;
       waited += kDisplayPoll) {
    std::this_thread::sleep_for(kDisplayPoll);
    display = hal::createDisplay(cr.config.display, error, &mono);
  }
  if (!display) {
    log::error("{}", error);
    return kFailure;
  }
  const std::string target = display->describe();
  auto loader = createChildFeedLoader(cr.config);
  App app(std::move(cr.config), clock, std::move(display), std::move(loader));
  log::info("calendarbot " CB_VERSION ": display {} ({}), profile {}", app.config().display.kind,
            target, app.config().profile);
  app.loadSnapshots();
  SystemdNotifier notifier;
  return runDaemon(app, notifier, LoopOptions{configPath, args.has("once")}, mono);
}

}  // namespace cb::daemon
