// PngDisplay: writes each frame to a PNG file atomically (temp file + rename).
#pragma once

#include <string>

#include "hal/display.hpp"

namespace cb::hal {

class PngDisplay final : public Display {
 public:
  PngDisplay(std::string path, int rotation);
  [[nodiscard]] int show(const Image& image) override;
  [[nodiscard]] std::string describe() const override { return path_; }

 private:
  std::string path_;
  int rotation_;
};

}  // namespace cb::hal
