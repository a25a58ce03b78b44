// Placement: where a logical frame lands on a panel after rotation and centring or scaling.
#pragma once

#include <cstddef>
#include <vector>

#include "hal/image.hpp"

namespace cb::hal {

enum class Fit {
  Center,  // 1:1 pixels, centred; a frame larger than the panel is cropped evenly
  Scale,   // nearest-neighbour to the largest size that fits, aspect kept, centred
};

// Maps panel pixels to source pixels of an image of a fixed size. Rotation is
// clockwise (as hal/rotate.hpp), applied before fitting. Built once per
// geometry; the per-pixel lookup is two table reads.
class Placement {
 public:
  Placement() = default;
  Placement(int imageWidth, int imageHeight, int strideWords, int rotation, int panelWidth,
            int panelHeight, Fit fit);

  // The panel rectangle the image covers (clipped to the panel).
  [[nodiscard]] const Region& target() const { return target_; }
  // Index into Image::pixels of the source of panel pixel (x, y) inside target().
  [[nodiscard]] std::size_t sourceIndex(int x, int y) const {
    return rowBase_[std::size_t(y - target_.y)] + colOffset_[std::size_t(x - target_.x)];
  }
  // The panel rectangle (inside target()) whose pixels come from `damage`
  // (source coordinates); empty when none of the damage is visible.
  [[nodiscard]] Region panelDamage(const Region& damage) const;
  [[nodiscard]] bool matches(int imageWidth, int imageHeight, int strideWords) const {
    return imageWidth == width_ && imageHeight == height_ && strideWords == stride_;
  }

 private:
  int width_ = 0, height_ = 0, stride_ = 0, rotation_ = 0;
  Region target_;
  std::vector<std::size_t> rowBase_;    // per target row
  std::vector<std::size_t> colOffset_;  // per target column
  std::vector<int> rowSource_;          // source coordinate a target row samples (y or x)
  std::vector<int> colSource_;          // source coordinate a target column samples (x or y)
};

}  // namespace cb::hal
