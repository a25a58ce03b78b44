// The daemon's single-threaded event loop: signals, wall-clock timer, feeds, housekeeping.
#pragma once

#include <string>

#include "daemon/app.hpp"
#include "daemon/notify.hpp"

namespace cb::daemon {

struct LoopOptions {
  std::string configPath;  // re-read on SIGHUP
  bool once = false;       // draw one frame (after the first fetch round) and return
};

// Runs until SIGTERM/SIGINT (exit 0). SIGHUP reloads the config (a broken one
// is refused and the old one keeps running), SIGUSR1 shows the next layout.
[[nodiscard]] int runDaemon(App& app, Notifier& notifier, const LoopOptions& options);

}  // namespace cb::daemon
