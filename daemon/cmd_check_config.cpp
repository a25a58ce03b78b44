// `calendarbot check-config`: validates a config and explains every error.
#include <fmt/format.h>

#include <cstdio>

#include "calendarbot_config.h"
#include "daemon/args.hpp"
#include "daemon/cli.hpp"
#include "daemon/config.hpp"

namespace cb::daemon {

int cmdCheckConfig(const std::vector<std::string_view>& argv) {
  Args args(argv, {"config"}, {"help"});
  if (args.has("help")) {
    std::fputs(
        "usage: calendarbot check-config [--config PATH]\n"
        "\n"
        "Validates the config (default " CB_DEFAULT_CONFIG
        ") and prints one line per\n"
        "problem as FILE:LINE: KEY: what is wrong. Exit 0 when valid, 1 otherwise.\n",
        stdout);
    return kOk;
  }
  if (!args.error().empty() || !args.positional().empty()) {
    fmt::print(stderr, "calendarbot check-config: {}\n",
               args.error().empty() ? "unexpected argument" : args.error());
    return kUsage;
  }
  const std::string path = args.value("config").value_or(CB_DEFAULT_CONFIG);
  const ConfigResult r = loadConfig(path);
  for (const std::string& e : r.errors) fmt::print(stderr, "error: {}\n", e);
  if (!r.ok()) return kFailure;
  fmt::print("{}: ok ({} source{}, display {} {}x{}, layouts {})\n", path, r.config.sources.size(),
             r.config.sources.size() == 1 ? "" : "s", r.config.display.kind, r.config.width,
             r.config.height, fmt::join(r.config.cycle, ", "));
  return kOk;
}

}  // namespace cb::daemon
