// Image: the read-only pixel view a Display receives (no dependency on render/).
#pragma once

#include <cstdint>
#include <span>

namespace cb::hal {

struct Region {
  int x = 0, y = 0, width = 0, height = 0;
  [[nodiscard]] bool empty() const { return width <= 0 || height <= 0; }
};

// Native-endian 0xAARRGGBB words (Cairo ARGB32), rows `strideWords` apart.
struct Image {
  std::span<const std::uint32_t> pixels;
  int width = 0;
  int height = 0;
  int strideWords = 0;
  std::uint64_t hash = 0;  // equal images hash equal (0: unknown)
  Region damage;           // changed area against the previously shown image (empty: unknown)
  // The image the previous show() was given, again: see Display::show().
  bool unchanged = false;

  [[nodiscard]] std::uint32_t at(int x, int y) const {
    return pixels[std::size_t(y) * std::size_t(strideWords) + std::size_t(x)];
  }
};

}  // namespace cb::hal
