// `calendarbot run`: load the config, open the display, run the loop.
#include <fmt/format.h>

#include <cstdio>

#include "calendarbot_config.h"
#include "daemon/app.hpp"
#include "daemon/args.hpp"
#include "daemon/cli.hpp"
#include "daemon/log.hpp"

namespace cb::daemon {

int cmdRun(const std::vector<std::string_view>& argv, hal::Clock& clock) {
  Args args(argv, {"config", "display"}, {"help", "once"});
  if (args.has("help")) {
    std::fputs(
        "usage: calendarbot run [--config PATH] [--once]\n"
        "\n"
        "Runs the daemon with the config (default " CB_DEFAULT_CONFIG
        "): loads the\n"
        "sources, draws the first layout of [layouts] cycle on the display and redraws\n"
        "on every wall-clock minute. SIGTERM/SIGINT stop it; SIGUSR1 shows the next layout.\n"
        "  --once               draw one frame and exit\n"
        "  --display KIND:PATH  override [display] kind and path, e.g. png:/tmp/cal.png\n"
        "                       or framebuffer:/dev/fb0\n",
        stdout);
    return kOk;
  }
  if (!args.error().empty() || !args.positional().empty()) {
    fmt::print(stderr, "calendarbot run: {}\n",
               args.error().empty() ? "unexpected argument" : args.error());
    return kUsage;
  }
  ConfigResult cr = loadConfig(args.value("config").value_or(CB_DEFAULT_CONFIG));
  for (const std::string& e : cr.errors) log::error("{}", e);
  if (!cr.ok()) return kFailure;
  if (const auto d = args.value("display")) {
    const std::size_t colon = d->find(':');
    cr.config.display.kind = d->substr(0, colon);
    if (colon != std::string::npos) cr.config.display.path = d->substr(colon + 1);
  }
  log::Level level = log::Level::Info;
  if (log::parseLevel(cr.config.logLevel, level)) log::setLevel(level);

  std::string error;
  auto display = hal::createDisplay(cr.config.display, error);
  if (!display) {
    log::error("{}", error);
    return kFailure;
  }
  const std::string target = display->describe();
  App app(std::move(cr.config), clock, std::move(display));
  log::info("display: {} ({})", app.config().display.kind, target);
  return runDaemon(app, args.has("once"));
}

}  // namespace cb::daemon
