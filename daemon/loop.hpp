// The daemon's single-threaded event loop: signals, wall-clock timer, feeds, housekeeping.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "daemon/app.hpp"
#include "daemon/notify.hpp"
#include "hal/button.hpp"
#include "hal/clock.hpp"

namespace cb::daemon {

struct LoopOptions {
  std::string configPath;  // re-read on SIGHUP
  bool once = false;       // draw one frame (after the first fetch round) and return
  // Opens the [button] line; unset: hal::Button::create (tests pass a fake line).
  std::function<std::unique_ptr<hal::Button>(const Config&, hal::MonotonicClock&)> openButton{};
};

// Runs until SIGTERM/SIGINT (exit 0). SIGHUP reloads the config (a broken one
// is refused and the old one keeps running), SIGUSR1 shows the next layout,
// SIGUSR2 fetches every source now.
// `mono` times the button's debouncing and the displays' waits.
[[nodiscard]] int runDaemon(App& app, Notifier& notifier, const LoopOptions& options,
                            hal::MonotonicClock& mono);

}  // namespace cb::daemon
