// Display: where frames go (PNG file, framebuffer, e-ink panel).
#pragma once

#include <memory>
#include <string>

#include "hal/image.hpp"

namespace cb::hal {

struct DisplayConfig {
  std::string kind = "png";  // png | framebuffer | eink
  std::string path = "/tmp/calendarbot.png";
  int rotation = 0;  // 0 | 90 | 180 | 270, applied by the display
};

class Display {
 public:
  virtual ~Display() = default;
  // Shows the image. Returns 0 or -errno; the display logs its own errors.
  [[nodiscard]] virtual int show(const Image& image) = 0;
  // Human-readable target, e.g. "/tmp/calendarbot.png".
  [[nodiscard]] virtual std::string describe() const = 0;
};

// Creates the display the config names; nullptr with `error` set on failure.
[[nodiscard]] std::unique_ptr<Display> createDisplay(const DisplayConfig& config,
                                                     std::string& error);

}  // namespace cb::hal
