// The display factory: picks the implementation the config names.
#include "hal/display.hpp"

#include "calendarbot_config.h"
#include "hal/eink_display.hpp"
#include "hal/fb_display.hpp"
#include "hal/png_display.hpp"
#include "hal/sys.hpp"

namespace cb::hal {

std::unique_ptr<Display> createDisplay(const DisplayConfig& config, std::string& error,
                                       MonotonicClock* clock) {
  if (config.kind == "png") return std::make_unique<PngDisplay>(config.path, config.rotation);
  if (config.kind == "framebuffer") {
    FramebufferOptions o;
    o.device = config.path;
    o.tty = config.tty;
    o.rotation = config.rotation;
    o.fit = config.fit == "scale" ? Fit::Scale : Fit::Center;
    return FramebufferDisplay::create(o, realSys(), error, clock);
  }
  if (config.kind == "eink") return EinkDisplay::create(config, error, clock);
  error = "display kind \"" + config.kind + "\" is not available in this build";
  return nullptr;
}

}  // namespace cb::hal
