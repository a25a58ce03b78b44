// Real GPIO lines through libgpiod v1 (built with -Dgpio): RAII over gpiod_chip/gpiod_line.
#pragma once

#include <memory>
#include <string>

#include "hal/gpio.hpp"

namespace cb::hal {

// Each returns nullptr with `error` set (naming the chip, the line and, for
// permission problems, the group the service user needs).
[[nodiscard]] std::unique_ptr<GpioLine> openOutputLine(const std::string& chip, int offset,
                                                       bool initialHigh, std::string& error);
[[nodiscard]] std::unique_ptr<GpioLine> openInputLine(const std::string& chip, int offset,
                                                      std::string& error);
// Both edges; `bias` where the kernel supports it (older kernels: a warning, no bias).
[[nodiscard]] std::unique_ptr<EdgeLine> openEdgeLine(const std::string& chip, int offset, Bias bias,
                                                     std::string& error);

}  // namespace cb::hal
