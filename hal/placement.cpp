// Placement tables: rotation + centre/scale folded into per-row and per-column lookups.
#include "hal/placement.hpp"

#include <algorithm>

namespace cb::hal {

Placement::Placement(int w, int h, int stride, int rotation, int panelW, int panelH, Fit fit)
    : width_(w), height_(h), stride_(stride), rotation_(rotation) {
  const bool swap = rotation == 90 || rotation == 270;
  const int rw = swap ? h : w;  // the rotated image
  const int rh = swap ? w : h;
  int dw = rw, dh = rh;
  if (fit == Fit::Scale && rw > 0 && rh > 0) {
    if (long(rw) * panelH <= long(rh) * panelW) {
      dh = panelH;
      dw = std::max(1, int(long(rw) * panelH / rh));
    } else {
      dw = panelW;
      dh = std::max(1, int(long(rh) * panelW / rw));
    }
  }
  const int ox = (panelW - dw) / 2;
  const int oy = (panelH - dh) / 2;
  const int x0 = std::max(0, ox), x1 = std::min(panelW, ox + dw);
  const int y0 = std::max(0, oy), y1 = std::min(panelH, oy + dh);
  target_ = {x0, y0, std::max(0, x1 - x0), std::max(0, y1 - y0)};

  // Rotated coordinates (rx, ry) of each target column/row, then the source index.
  const auto S = std::size_t(stride);
  for (int x = x0; x < x1; ++x) {
    const int rx = int(long(x - ox) * rw / dw);
    int src = 0;
    switch (rotation) {
      case 90:  // source y = h-1-rx
        src = h - 1 - rx;
        colOffset_.push_back(std::size_t(src) * S);
        break;
      case 180:  // source x = w-1-rx
        src = w - 1 - rx;
        colOffset_.push_back(std::size_t(src));
        break;
      case 270:  // source y = rx
        src = rx;
        colOffset_.push_back(std::size_t(src) * S);
        break;
      default:
        src = rx;
        colOffset_.push_back(std::size_t(src));
        break;
    }
    colSource_.push_back(src);
  }
  for (int y = y0; y < y1; ++y) {
    const int ry = int(long(y - oy) * rh / dh);
    int src = 0;
    switch (rotation) {
      case 90:  // source x = ry
        src = ry;
        rowBase_.push_back(std::size_t(src));
        break;
      case 180:  // source y = h-1-ry
        src = h - 1 - ry;
        rowBase_.push_back(std::size_t(src) * S);
        break;
      case 270:  // source x = w-1-ry
        src = w - 1 - ry;
        rowBase_.push_back(std::size_t(src));
        break;
      default:
        src = ry;
        rowBase_.push_back(std::size_t(src) * S);
        break;
    }
    rowSource_.push_back(src);
  }
}

Region Placement::panelDamage(const Region& d) const {
  if (d.empty() || target_.empty()) return {};
  const bool swap = rotation_ == 90 || rotation_ == 270;
  // A target row samples a source row (0/180) or a source column (90/270).
  const int rowLo = swap ? d.x : d.y, rowHi = swap ? d.x + d.width : d.y + d.height;
  const int colLo = swap ? d.y : d.x, colHi = swap ? d.y + d.height : d.x + d.width;
  int r0 = -1, r1 = -1, c0 = -1, c1 = -1;
  for (std::size_t i = 0; i < rowSource_.size(); ++i)
    if (rowSource_[i] >= rowLo && rowSource_[i] < rowHi) {
      if (r0 < 0) r0 = int(i);
      r1 = int(i) + 1;
    }
  for (std::size_t i = 0; i < colSource_.size(); ++i)
    if (colSource_[i] >= colLo && colSource_[i] < colHi) {
      if (c0 < 0) c0 = int(i);
      c1 = int(i) + 1;
    }
  if (r0 < 0 || c0 < 0) return {};
  return {target_.x + c0, target_.y + r0, c1 - c0, r1 - r0};
}

}  // namespace cb::hal
