// Subcommand dispatch and the top-level help.
#include "daemon/cli.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

#include "calendarbot_config.h"

namespace cb::daemon {
namespace {

constexpr const char* kHelp =
    "calendarbot " CB_VERSION
    " — a boot-to-display calendar\n"
    "\n"
    "usage: calendarbot COMMAND [OPTIONS]\n"
    "\n"
    "commands:\n"
    "  run            the daemon: fetch feeds, draw the layouts on the configured display\n"
    "  render         draw one layout from ICS files at a given instant into a PNG\n"
    "  occurrences    list a calendar's occurrences in a window (conformance TSV)\n"
    "  check-config   validate a config file and explain every error\n"
    "  probe          show the framebuffer, SPI and GPIO hardware and what is missing\n"
    "\n"
    "Run 'calendarbot COMMAND --help' for a command's options.\n";

}  // namespace

int runCli(const std::vector<std::string_view>& args, hal::Clock& clock) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::fputs(kHelp, args.empty() ? stderr : stdout);
    return args.empty() ? kUsage : kOk;
  }
  if (args[0] == "--version") {
    std::puts("calendarbot " CB_VERSION);
    return kOk;
  }
  const std::vector<std::string_view> rest(args.begin() + 1, args.end());
  if (args[0] == "run") return cmdRun(rest, clock);
  if (args[0] == "render") return cmdRender(rest);
  if (args[0] == "occurrences") return cmdOccurrences(rest);
  if (args[0] == "check-config") return cmdCheckConfig(rest);
  if (args[0] == "probe") return cmdProbe(rest);
  // The fenced child ends without exit-time handlers: its answer is written, nothing else
  // needs running, and under its seccomp filter one (LeakSanitizer's stop-the-world, in our
  // sanitizer builds) made a forbidden call -- every refresh failed with SIGSYS there.
  if (args[0] == "fetch-child") ::_exit(cmdFetchChild(rest));
  fmt::print(stderr, "calendarbot: unknown command \"{}\" (see calendarbot --help)\n", args[0]);
  return kUsage;
}

}  // namespace cb::daemon
