// Frame storage, hashing, damage rectangles and PNG I/O through Cairo.
#include "render/frame.hpp"

#include <cairo.h>

#include <algorithm>
#include <cstring>

#include "render/cairo_ptr.hpp"

namespace cb::render {

Frame::Frame(int width, int height)
    : width_(width),
      height_(height),
      pixels_(std::size_t(width) * std::size_t(height), 0xffffffffu) {}

std::uint64_t Frame::hash() const {
  // FNV-1a over 64-bit words (two pixels at a time) with a final avalanche:
  // ~10× faster than byte-wise FNV and still changes with any pixel.
  constexpr std::uint64_t kPrime = 1099511628211ULL;
  std::uint64_t h = 1469598103934665603ULL;
  h = (h ^ (std::uint64_t(std::uint32_t(width_)) << 32 | std::uint32_t(height_))) * kPrime;
  const std::size_t n = pixels_.size();
  std::size_t i = 0;
  for (; i + 1 < n; i += 2) {
    std::uint64_t v;
    std::memcpy(&v, &pixels_[i], sizeof v);
    h = (h ^ v) * kPrime;
    h ^= h >> 29;
  }
  if (i < n) h = (h ^ pixels_[i]) * kPrime;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  return h;
}

Rect damage(const Frame& a, const Frame& b) {
  if (a.width() != b.width() || a.height() != b.height()) return {0, 0, b.width(), b.height()};
  int x0 = b.width(), y0 = b.height(), x1 = -1, y1 = -1;
  const auto pa = a.pixels();
  const auto pb = b.pixels();
  for (int y = 0; y < b.height(); ++y) {
    const std::uint32_t* ra = pa.data() + std::size_t(y) * std::size_t(a.width());
    const std::uint32_t* rb = pb.data() + std::size_t(y) * std::size_t(b.width());
    if (std::memcmp(ra, rb, std::size_t(b.width()) * 4) == 0) continue;
    y0 = std::min(y0, y);
    y1 = y;
    int l = 0;
    while (ra[l] == rb[l]) ++l;
    int r = b.width() - 1;
    while (ra[r] == rb[r]) --r;
    x0 = std::min(x0, l);
    x1 = std::max(x1, r);
  }
  if (y1 < 0) return {};
  return {x0, y0, x1 - x0 + 1, y1 - y0 + 1};
}

std::string writePng(const Frame& frame, const std::string& path) {
  SurfacePtr surface(cairo_image_surface_create_for_data(
      reinterpret_cast<unsigned char*>(const_cast<std::uint32_t*>(frame.pixels().data())),
      CAIRO_FORMAT_ARGB32, frame.width(), frame.height(), frame.width() * 4));
  const cairo_status_t st = cairo_surface_write_to_png(surface.get(), path.c_str());
  return st == CAIRO_STATUS_SUCCESS ? std::string{} : std::string(cairo_status_to_string(st));
}

bool readPng(const std::string& path, Frame& out) {
  SurfacePtr png(cairo_image_surface_create_from_png(path.c_str()));
  if (cairo_surface_status(png.get()) != CAIRO_STATUS_SUCCESS) return false;
  const int w = cairo_image_surface_get_width(png.get());
  const int h = cairo_image_surface_get_height(png.get());
  Frame f(w, h);
  // Paint onto our own layout so the stride and format are known.
  SurfacePtr target(cairo_image_surface_create_for_data(
      reinterpret_cast<unsigned char*>(f.pixels().data()), CAIRO_FORMAT_ARGB32, w, h, w * 4));
  CairoPtr cr(cairo_create(target.get()));
  cairo_set_source_surface(cr.get(), png.get(), 0, 0);
  cairo_set_operator(cr.get(), CAIRO_OPERATOR_SOURCE);
  cairo_paint(cr.get());
  cairo_surface_flush(target.get());
  out = std::move(f);
  return true;
}

}  // namespace cb::render
