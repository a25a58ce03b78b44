// FrameDigest: tile hashes and the damage rectangle between two of them.
#include "daemon/frame_digest.hpp"

#include <algorithm>

#include "daemon/fnv.hpp"

namespace cb::daemon {

FrameDigest::FrameDigest(const render::Frame& frame)
    : width_(frame.width()),
      height_(frame.height()),
      columns_((frame.width() + kTile - 1) / kTile) {
  const int rows = (height_ + kTile - 1) / kTile;
  tiles_.assign(std::size_t(columns_) * std::size_t(rows), kFnvOffset);
  const std::span<const std::uint32_t> px = frame.pixels();
  const int stride = frame.strideWords();
  // Row by row (the pixels' order in memory), each row segment into its tile's hash.
  for (int y = 0; y < height_; ++y) {
    std::uint64_t* tileRow = tiles_.data() + std::size_t(y / kTile) * std::size_t(columns_);
    const std::uint32_t* row = px.data() + std::size_t(y) * std::size_t(stride);
    for (int c = 0; c < columns_; ++c) {
      std::uint64_t h = tileRow[c];
      const int end = std::min(width_, (c + 1) * kTile);
      for (int x = c * kTile; x < end; ++x) h = (h ^ row[x]) * kFnvPrime;
      tileRow[c] = h ^ (h >> 29);
    }
  }
}

render::Rect FrameDigest::damage(const FrameDigest& next) const {
  const render::Rect whole{0, 0, next.width_, next.height_};
  if (empty() || width_ != next.width_ || height_ != next.height_) return whole;
  int minC = columns_, maxC = -1, minR = -1, maxR = -1;
  const int rows = int(tiles_.size()) / std::max(1, columns_);
  for (int r = 0; r < rows; ++r) {
    const std::uint64_t* a = tiles_.data() + std::size_t(r) * std::size_t(columns_);
    const std::uint64_t* b = next.tiles_.data() + std::size_t(r) * std::size_t(columns_);
    for (int c = 0; c < columns_; ++c) {
      if (a[c] == b[c]) continue;
      if (minR < 0) minR = r;
      maxR = r;
      minC = std::min(minC, c);
      maxC = std::max(maxC, c);
    }
  }
  if (minR < 0) return {};
  const int x0 = minC * kTile, y0 = minR * kTile;
  const int x1 = std::min(width_, (maxC + 1) * kTile), y1 = std::min(height_, (maxR + 1) * kTile);
  return {x0, y0, x1 - x0, y1 - y0};
}

}  // namespace cb::daemon
