// Frame: the in-memory ARGB32 image every layout draws and every display shows.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace cb::render {

struct Rect {
  int x = 0, y = 0, width = 0, height = 0;
  [[nodiscard]] bool empty() const { return width <= 0 || height <= 0; }
  bool operator==(const Rect&) const = default;
};

// Pixels are Cairo's CAIRO_FORMAT_ARGB32 (native-endian 0xAARRGGBB words),
// always opaque here, rows `stride` words apart.
class Frame {
 public:
  Frame() = default;
  Frame(int width, int height);

  [[nodiscard]] int width() const { return width_; }
  [[nodiscard]] int height() const { return height_; }
  [[nodiscard]] int strideWords() const { return width_; }
  [[nodiscard]] std::span<const std::uint32_t> pixels() const { return pixels_; }
  [[nodiscard]] std::span<std::uint32_t> pixels() { return pixels_; }
  [[nodiscard]] std::uint32_t at(int x, int y) const {
    return pixels_[std::size_t(y * width_ + x)];
  }

  // 64-bit hash of size and pixels (FNV-1a over words): equal frames hash equal.
  [[nodiscard]] std::uint64_t hash() const;

 private:
  int width_ = 0;
  int height_ = 0;
  std::vector<std::uint32_t> pixels_;
};

// The smallest rectangle holding every pixel that differs; the whole frame
// when the sizes differ; empty when the frames are equal.
[[nodiscard]] Rect damage(const Frame& previous, const Frame& next);

// Writes a PNG (used by tests and the PNG display). Returns an error text or "".
[[nodiscard]] std::string writePng(const Frame& frame, const std::string& path);
// Reads a PNG into a frame; false when the file is missing or not a PNG.
[[nodiscard]] bool readPng(const std::string& path, Frame& out);

}  // namespace cb::render
