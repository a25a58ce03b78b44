// FrameDigest: per-tile hashes of the frame on the display, in place of a copy of its pixels.
#pragma once

#include <cstdint>
#include <vector>

#include "render/frame.hpp"

namespace cb::daemon {

// What the daemon remembers of the frame it showed last: a 64-bit hash per
// kTile×kTile tile (12 KB for 480×800) instead of the 1.5 MB of pixels. Damage
// against it is the bounding box of the changed tiles, a superset of the exact
// damage by less than a tile on each side.
class FrameDigest {
 public:
  static constexpr int kTile = 16;

  FrameDigest() = default;
  explicit FrameDigest(const render::Frame& frame);

  [[nodiscard]] bool empty() const { return tiles_.empty(); }
  [[nodiscard]] int width() const { return width_; }
  [[nodiscard]] int height() const { return height_; }
  // The region of `next` whose tiles differ from this digest's frame; the whole
  // of `next` when the sizes differ or nothing is remembered; empty when equal.
  [[nodiscard]] render::Rect damage(const FrameDigest& next) const;
  [[nodiscard]] std::size_t bytes() const { return tiles_.size() * sizeof(std::uint64_t); }

 private:
  int width_ = 0;
  int height_ = 0;
  int columns_ = 0;
  std::vector<std::uint64_t> tiles_;  // row-major, columns_ per tile row
};

}  // namespace cb::daemon
