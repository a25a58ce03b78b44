// Device diagnostics for `calendarbot probe`: what a node is, or why it cannot be used.
#pragma once

#include <string>
#include <vector>

#include "hal/sys.hpp"

namespace cb::hal {

// "/dev/fb0: 800x480 RGB565 (16 bpp, virtual 800x960 at 0,0, line 1600 bytes, \"fbtft\")",
// or the problem and its fix ("permission denied — add the service user to group video").
[[nodiscard]] std::string probeFramebuffer(Sys& sys, const std::string& path);
// The console: its current mode (text/graphics) or the problem.
[[nodiscard]] std::string probeTty(Sys& sys, const std::string& path);
// A spidev node: usable, or the problem.
[[nodiscard]] std::string probeSpidev(Sys& sys, const std::string& path);
// A GPIO chip with the state of `lines` (name, direction, consumer), or the problem.
// Without GPIO support in the build, says so.
[[nodiscard]] std::string probeGpioChip(const std::string& chip, const std::vector<int>& lines);

// "… — add the service user to group G (PATH is OWNER:GROUP MODE)" for EACCES/EPERM,
// otherwise strerror; `group` is the group the device normally belongs to.
[[nodiscard]] std::string explainOpenError(const std::string& path, int err,
                                           const std::string& group);

// Device nodes in `dir` whose names start with `prefix` ("fb", "spidev", "gpiochip"), sorted.
[[nodiscard]] std::vector<std::string> listDevices(const std::string& dir,
                                                   const std::string& prefix);

}  // namespace cb::hal
