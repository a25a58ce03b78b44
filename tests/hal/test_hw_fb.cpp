// Hardware test: the framebuffer display on this machine's real /dev/fbN (CB_HW_FB, default
// /dev/fb0). Exits 77 (skipped) when there is none; restores the screen afterwards.
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

#include "hal/fb_display.hpp"

using namespace cb::hal;

int main() {
  const char* env = std::getenv("CB_HW_FB");
  const std::string path = env && *env ? env : "/dev/fb0";
  if (!std::filesystem::exists(path)) {
    std::printf("%s: not present, skipping\n", path.c_str());
    return 77;
  }
  std::string error;
  auto display = FramebufferDisplay::create({path, "", 0, Fit::Center}, realSys(), error);
  if (!display) {
    std::printf("%s\n", error.c_str());
    return error.find("permission") != std::string::npos ? 77 : 1;
  }
  const fb_var_screeninfo var = display->var();
  const fb_fix_screeninfo fix = display->fix();
  const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  const std::size_t length = fix.smem_len;
  auto* mem = static_cast<unsigned char*>(
      ::mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
  if (fd < 0 || mem == MAP_FAILED) {
    std::printf("%s: cannot map for read-back\n", path.c_str());
    return 1;
  }
  const std::vector<unsigned char> saved(mem, mem + length);

  const int w = int(std::min(64u, var.xres)), h = int(std::min(64u, var.yres));
  std::vector<std::uint32_t> px(std::size_t(w * h));
  for (std::size_t i = 0; i < px.size(); ++i) px[i] = 0xff000000u | std::uint32_t(i * 2654435761u);
  int failures = display->show(Image{px, w, h, w, 0, {}}) == 0 ? 0 : 1;
  const int ox = (int(var.xres) - w) / 2, oy = (int(var.yres) - h) / 2;
  const unsigned bpp = var.bits_per_pixel / 8;
  auto field = [](std::uint32_t v, const fb_bitfield& f) {
    return (v >> f.offset) & ((1u << f.length) - 1);
  };
  for (int y = 0; y < h && failures < 5; ++y)
    for (int x = 0; x < w && failures < 5; ++x) {
      const unsigned char* p = mem + std::size_t(var.yoffset + unsigned(oy + y)) * fix.line_length +
                               std::size_t(var.xoffset + unsigned(ox + x)) * bpp;
      std::uint32_t v = 0;
      for (unsigned i = 0; i < bpp; ++i) v |= std::uint32_t(p[i]) << (8 * i);
      const std::uint32_t s = px[std::size_t(y * w + x)];
      if (field(v, var.red) != ((s >> 16) & 0xff) >> (8 - var.red.length) ||
          field(v, var.green) != ((s >> 8) & 0xff) >> (8 - var.green.length) ||
          field(v, var.blue) != (s & 0xff) >> (8 - var.blue.length)) {
        std::printf("pixel %d,%d: read back 0x%x for 0x%x\n", x, y, v, s);
        ++failures;
      }
    }
  display.reset();
  std::memcpy(mem, saved.data(), length);
  ::munmap(mem, length);
  ::close(fd);
  std::printf("%s: %ux%u %s: %s\n", path.c_str(), var.xres, var.yres, describeFormat(var).c_str(),
              failures ? "FAILED" : "ok");
  return failures ? 1 : 0;
}
