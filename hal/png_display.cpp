// PNG display: rotate, encode with Cairo, write to a temp file, rename over the target.
#include "hal/png_display.hpp"

#include <cairo.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "hal/rotate.hpp"

namespace cb::hal {
namespace {

cairo_status_t appendBytes(void* closure, const unsigned char* data, unsigned int length) {
  auto* out = static_cast<std::vector<unsigned char>*>(closure);
  out->insert(out->end(), data, data + length);
  return CAIRO_STATUS_SUCCESS;
}

}  // namespace

PngDisplay::PngDisplay(std::string path, int rotation)
    : path_(std::move(path)), rotation_(rotation) {}

int PngDisplay::show(const Image& image) {
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

  const std::string tmp = path_ + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return -errno;
  std::size_t done = 0;
  while (done < png.size()) {
    const ssize_t n = ::write(fd, png.data() + done, png.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return -err;
    }
    done += std::size_t(n);
  }
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return -err;
  }
  if (::rename(tmp.c_str(), path_.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return -err;
  }
  return 0;
}

}  // namespace cb::hal
