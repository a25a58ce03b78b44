// PNG display: rotate, encode with Cairo, replace the file through the atomic writer.
#include "hal/png_display.hpp"

#include <cairo.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "hal/atomic_file.hpp"
#include "hal/rotate.hpp"

namespace cb::hal {
namespace {

// Called by Cairo (C): nothing may unwind through it; an allocation failure fails the write.
cairo_status_t appendBytes(void* closure, const unsigned char* data, unsigned int length) noexcept {
  try {
    auto* out = static_cast<std::vector<unsigned char>*>(closure);
    out->insert(out->end(), data, data + length);
    return CAIRO_STATUS_SUCCESS;
  } catch (...) {
    return CAIRO_STATUS_WRITE_ERROR;
  }
}

}  // namespace

PngDisplay::PngDisplay(std::string path, int rotation)
    : path_(std::move(path)), rotation_(rotation) {}

int PngDisplay::show(const Image& image) {
  if (image.unchanged) return 0;  // the file has it: spare the SD card
  std::vector<std::uint32_t> rotated = rotate(image, rotation_);
  const bool swap = rotation_ == 90 || rotation_ == 270;
  const int w = swap ? image.height : image.width;
  const int h = swap ? image.width : image.height;
  cairo_surface_t* surface = cairo_image_surface_create_for_data(
      reinterpret_cast<unsigned char*>(rotated.data()), CAIRO_FORMAT_ARGB32, w, h, w * 4);
  std::vector<unsigned char> png;
  const cairo_status_t st = cairo_surface_write_to_png_stream(surface, appendBytes, &png);
  cairo_surface_destroy(surface);
  if (st != CAIRO_STATUS_SUCCESS) return -EIO;

  const std::string_view bytes(reinterpret_cast<const char*>(png.data()), png.size());
  return writeFileAtomically(path_, {bytes}, 0644);
}

}  // namespace cb::hal
