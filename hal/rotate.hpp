// Rotation of an Image by a multiple of 90 degrees (clockwise), shared by displays.
#pragma once

#include <cstdint>
#include <vector>

#include "hal/image.hpp"

namespace cb::hal {

// The rotated pixels, tightly packed; for 90/270 the result is height × width.
[[nodiscard]] std::vector<std::uint32_t> rotate(const Image& image, int degrees);

}  // namespace cb::hal
