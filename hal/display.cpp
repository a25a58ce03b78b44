// The display factory: picks the implementation the config names.
#include "hal/display.hpp"

#include "hal/png_display.hpp"

namespace cb::hal {

std::unique_ptr<Display> createDisplay(const DisplayConfig& config, std::string& error) {
  if (config.kind == "png") return std::make_unique<PngDisplay>(config.path, config.rotation);
  error = "display kind \"" + config.kind + "\" is not available in this build";
  return nullptr;
}

}  // namespace cb::hal
