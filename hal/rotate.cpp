// Clockwise rotation by 0/90/180/270 degrees.
#include "hal/rotate.hpp"

namespace cb::hal {

std::vector<std::uint32_t> rotate(const Image& img, int degrees) {
  const int w = img.width, h = img.height;
  std::vector<std::uint32_t> out(std::size_t(w) * std::size_t(h));
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      const std::uint32_t p = img.at(x, y);
      switch (degrees) {
        case 90:
          out[std::size_t(x) * std::size_t(h) + std::size_t(h - 1 - y)] = p;
          break;
        case 180:
          out[std::size_t(h - 1 - y) * std::size_t(w) + std::size_t(w - 1 - x)] = p;
          break;
        case 270:
          out[std::size_t(w - 1 - x) * std::size_t(h) + std::size_t(y)] = p;
          break;
        default:
          out[std::size_t(y) * std::size_t(w) + std::size_t(x)] = p;
          break;
      }
    }
  }
  return out;
}

}  // namespace cb::hal
