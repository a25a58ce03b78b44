// Framebuffer display: fbdev ioctls, mmap, ARGB32 → the panel's bit fields, damaged rows only.
#include "hal/fb_display.hpp"

#include <fcntl.h>
#include <linux/kd.h>
#include <sys/mman.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <utility>

#include <fmt/format.h>

#include "hal/log.hpp"

namespace cb::hal {

// KD_GRAPHICS on a tty for as long as any display of this process needs it. Shared
// because a config reload opens the new display before the old one closes.
class ConsoleGraphics {
 public:
  ConsoleGraphics(Sys& sys, std::string path, UniqueFd fd)
      : sys_(sys), path_(std::move(path)), fd_(std::move(fd)) {}
  ~ConsoleGraphics() {
    // Always back to text: a previous run that crashed may have left graphics mode behind.
    const int rc = fd_.valid() ? setMode(sys_, fd_.get(), KD_TEXT) : 0;
    if (rc < 0)
      logMessage(LogLevel::Warning,
                 fmt::format("console: KDSETMODE KD_TEXT: {}", std::strerror(-rc)));
  }
  ConsoleGraphics(const ConsoleGraphics&) = delete;
  ConsoleGraphics& operator=(const ConsoleGraphics&) = delete;

  // The shared guard for `path`, or nullptr (logged) when the tty cannot be switched.
  static std::shared_ptr<ConsoleGraphics> acquire(Sys& sys, const std::string& path) {
    static std::map<std::pair<Sys*, std::string>, std::weak_ptr<ConsoleGraphics>> live;
    auto& slot = live[{&sys, path}];
    if (auto existing = slot.lock()) return existing;
    const int fd = openTty(sys, path);
    if (fd < 0) {
      logMessage(LogLevel::Warning,
                 fmt::format("console {}: {} — the cursor may blink over the calendar{}", path,
                             std::strerror(-fd),
                             fd == -EACCES || fd == -EPERM
                                 ? " (add the service user to group tty; KDSETMODE also "
                                   "needs CAP_SYS_TTY_CONFIG)"
                                 : ""));
      return nullptr;
    }
    UniqueFd owned(sys, fd);
    const int rc = setMode(sys, fd, KD_GRAPHICS);
    if (rc < 0) {
      logMessage(LogLevel::Warning,
                 fmt::format("console {}: KDSETMODE KD_GRAPHICS: {}{}", path, std::strerror(-rc),
                             rc == -EPERM ? " (needs CAP_SYS_TTY_CONFIG)" : ""));
      return nullptr;
    }
    auto guard = std::make_shared<ConsoleGraphics>(sys, path, std::move(owned));
    slot = guard;
    return guard;
  }

  // Takes the console back when something else put it into text mode since: systemd does
  // that to a tty when a getty starts on it (TTYReset=, with a vhangup that leaves our
  // descriptor dead and a VT_DISALLOCATE that clears the screen), and the console then draws
  // its text over the calendar. True when it was taken back: the framebuffer holds whatever
  // the console drew, so the caller redraws all of it.
  [[nodiscard]] bool reclaim() {
    int mode = KD_TEXT;
    int rc = fd_.valid() ? sys_.ioctl(fd_.get(), KDGETMODE, &mode) : -EBADF;
    if (rc == 0 && mode == KD_GRAPHICS) return false;
    std::string what = rc == 0 ? "back in text mode" : "hung up";
    if (rc < 0) {  // a vhangup: this descriptor answers EIO for good; a new one works
      const int fd = openTty(sys_, path_);
      if (fd < 0) return failed(fmt::format("reopening it: {}", std::strerror(-fd)));
      fd_ = UniqueFd(sys_, fd);
    }
    rc = setMode(sys_, fd_.get(), KD_GRAPHICS);
    if (rc < 0) return failed(fmt::format("KDSETMODE KD_GRAPHICS: {}", std::strerror(-rc)));
    failing_ = false;
    logMessage(LogLevel::Warning,
               fmt::format("console {}: {} (a getty started on it?) — graphics mode taken back, "
                           "the whole panel redrawn",
                           path_, what));
    return true;
  }

 private:
  // Write access is all KDSETMODE needs, and all group tty has (root:tty 0620).
  static int openTty(Sys& sys, const std::string& path) {
    return sys.open(path.c_str(), O_WRONLY | O_NOCTTY);
  }
  static int setMode(Sys& sys, int fd, int mode) {
    return sys.ioctl(fd, KDSETMODE, reinterpret_cast<void*>(std::uintptr_t(mode)));
  }
  // Logged once until the console is back; the whole panel is redrawn each time anyway.
  bool failed(const std::string& why) {
    if (!failing_)
      logMessage(
          LogLevel::Warning,
          fmt::format("console {}: not in graphics mode and cannot be put back ({})", path_, why));
    failing_ = true;
    return true;
  }

  Sys& sys_;
  std::string path_;
  UniqueFd fd_;
  bool failing_ = false;
};

namespace {

bool is(const fb_bitfield& f, unsigned offset, unsigned length) {
  return f.offset == offset && f.length == length;
}

// Maps an 8-bit channel value into a bit field of the pixel word.
std::array<std::uint32_t, 256> channelTable(const fb_bitfield& f) {
  std::array<std::uint32_t, 256> t{};
  for (std::uint32_t v = 0; v < 256; ++v) {
    const std::uint32_t scaled = f.length >= 8 ? v << (f.length - 8) : v >> (8 - f.length);
    t[v] = f.length == 0 ? 0 : scaled << f.offset;
  }
  return t;
}

std::string groupHint(int err) {
  return err == -EACCES || err == -EPERM ? " (add the service user to group video)" : "";
}

}  // namespace

std::string describeFormat(const fb_var_screeninfo& v) {
  const auto& r = v.red;
  const auto& g = v.green;
  const auto& b = v.blue;
  if (v.bits_per_pixel == 16 && is(r, 11, 5) && is(g, 5, 6) && is(b, 0, 5)) return "RGB565";
  if (v.bits_per_pixel == 16 && is(b, 11, 5) && is(g, 5, 6) && is(r, 0, 5)) return "BGR565";
  if (v.bits_per_pixel == 24 && is(r, 16, 8) && is(g, 8, 8) && is(b, 0, 8)) return "RGB888";
  if (v.bits_per_pixel == 24 && is(b, 16, 8) && is(g, 8, 8) && is(r, 0, 8)) return "BGR888";
  if (v.bits_per_pixel == 32 && is(r, 16, 8) && is(g, 8, 8) && is(b, 0, 8))
    return v.transp.length ? "ARGB8888" : "XRGB8888";
  if (v.bits_per_pixel == 32 && is(b, 24, 8) && is(g, 16, 8) && is(r, 8, 8))
    return v.transp.length ? "BGRA8888" : "BGRX8888";
  if (v.bits_per_pixel == 32 && is(b, 16, 8) && is(g, 8, 8) && is(r, 0, 8))
    return v.transp.length ? "ABGR8888" : "XBGR8888";
  return fmt::format("{}bpp r{}:{} g{}:{} b{}:{}", v.bits_per_pixel, r.offset, r.length, g.offset,
                     g.length, b.offset, b.length);
}

int checkFormat(const fb_var_screeninfo& v, const fb_fix_screeninfo& f, std::string& why) {
  if (f.type != FB_TYPE_PACKED_PIXELS) {
    why = fmt::format("framebuffer type {} is not packed pixels", f.type);
    return -ENOTSUP;
  }
  if (f.visual != FB_VISUAL_TRUECOLOR && f.visual != FB_VISUAL_DIRECTCOLOR) {
    why = fmt::format("framebuffer visual {} is not true colour (palette modes are not supported)",
                      f.visual);
    return -ENOTSUP;
  }
  if (v.bits_per_pixel != 16 && v.bits_per_pixel != 24 && v.bits_per_pixel != 32) {
    why = fmt::format("{} bits per pixel is not supported (16, 24 or 32)", v.bits_per_pixel);
    return -ENOTSUP;
  }
  for (const fb_bitfield* b : {&v.red, &v.green, &v.blue, &v.transp})
    if (b->length > 16 || b->offset + b->length > v.bits_per_pixel) {
      why = "colour bit fields do not fit the pixel size";
      return -ENOTSUP;
    }
  if (v.xres == 0 || v.yres == 0 || f.line_length < v.xres * (v.bits_per_pixel / 8)) {
    why = fmt::format("implausible geometry {}x{}, line length {}", v.xres, v.yres, f.line_length);
    return -ENOTSUP;
  }
  return 0;
}

FramebufferDisplay::FramebufferDisplay(FramebufferOptions options, Sys& sys, MonotonicClock* clock)
    : options_(std::move(options)), sys_(sys), clock_(clock ? *clock : steady_) {}

std::unique_ptr<FramebufferDisplay> FramebufferDisplay::create(const FramebufferOptions& options,
                                                               Sys& sys, std::string& error,
                                                               MonotonicClock* clock) {
  std::unique_ptr<FramebufferDisplay> d(new FramebufferDisplay(options, sys, clock));
  const int fd = sys.open(options.device.c_str(), O_RDWR);
  if (fd < 0) {
    error = fmt::format("framebuffer {}: {}{}", options.device, std::strerror(-fd), groupHint(fd));
    return nullptr;
  }
  d->fd_ = UniqueFd(sys, fd);
  int rc = sys.ioctl(fd, FBIOGET_VSCREENINFO, &d->var_);
  if (rc == 0) rc = sys.ioctl(fd, FBIOGET_FSCREENINFO, &d->fix_);
  if (rc < 0) {
    error = fmt::format("framebuffer {}: reading the screen info: {}", options.device,
                        std::strerror(-rc));
    return nullptr;
  }
  std::string why;
  if (checkFormat(d->var_, d->fix_, why) < 0) {
    error = fmt::format("framebuffer {}: {}", options.device, why);
    return nullptr;
  }
  // The visible area must lie inside the buffer we map.
  std::size_t length = d->fix_.smem_len;
  if (length == 0) length = std::size_t(d->fix_.line_length) * d->var_.yres_virtual;
  d->bytesPerPixel_ = int(d->var_.bits_per_pixel / 8);
  const std::size_t needed =
      std::size_t(d->var_.yoffset + d->var_.yres) * d->fix_.line_length +
      std::size_t(d->var_.xoffset + d->var_.xres) * std::size_t(d->bytesPerPixel_);
  if (needed > length + d->fix_.line_length) {
    error = fmt::format("framebuffer {}: visible area ({}x{} at {},{}) exceeds the {} byte buffer",
                        options.device, d->var_.xres, d->var_.yres, d->var_.xoffset,
                        d->var_.yoffset, length);
    return nullptr;
  }
  int mapError = 0;
  void* p = sys.mmap(length, PROT_READ | PROT_WRITE, fd, 0, mapError);
  if (p == nullptr) {
    error = fmt::format("framebuffer {}: mmap: {}", options.device, std::strerror(mapError));
    return nullptr;
  }
  d->map_ = UniqueMapping(sys, p, length);
  d->red_ = channelTable(d->var_.red);
  d->green_ = channelTable(d->var_.green);
  d->blue_ = channelTable(d->var_.blue);
  d->opaque_ = d->var_.transp.length == 0
                   ? 0
                   : ((d->var_.transp.length >= 32 ? ~0u : (1u << d->var_.transp.length) - 1)
                      << d->var_.transp.offset);
  if (!options.tty.empty()) d->console_ = ConsoleGraphics::acquire(sys, options.tty);
  // A console that blanked the screen before we took over would keep it dark.
  (void)sys.ioctl(fd, FBIOBLANK, reinterpret_cast<void*>(std::uintptr_t(FB_BLANK_UNBLANK)));
  return d;
}

FramebufferDisplay::~FramebufferDisplay() = default;

std::string FramebufferDisplay::describe() const {
  return fmt::format("{} {}x{} {}", options_.device, var_.xres, var_.yres, describeFormat(var_));
}

// Black outside `keep` (the frame's place), which the frame's own pixels cover next: the
// calendar itself never flashes black on a whole repaint.
void FramebufferDisplay::clearAround(const Region& keep) {
  const std::size_t bpp = std::size_t(bytesPerPixel_);
  const auto blacken = [&](unsigned char* row, std::uint32_t from, std::uint32_t to) {
    if (from >= to) return;
    std::memset(row + from * bpp, 0, (to - from) * bpp);
    if (opaque_ != 0)
      for (std::uint32_t x = from; x < to; ++x)
        for (std::size_t i = 0; i < bpp; ++i)
          row[x * bpp + i] |= static_cast<unsigned char>(opaque_ >> (8 * i));
  };
  for (std::uint32_t y = 0; y < var_.yres; ++y) {
    unsigned char* row = map_.data() + std::size_t(var_.yoffset + y) * fix_.line_length +
                         std::size_t(var_.xoffset) * bpp;
    if (int(y) < keep.y || int(y) >= keep.y + keep.height) {
      blacken(row, 0, var_.xres);
    } else {
      blacken(row, 0, std::uint32_t(keep.x));
      blacken(row, std::uint32_t(keep.x + keep.width), var_.xres);
    }
  }
}

void FramebufferDisplay::writeRect(const Image& image, const Region& rect) {
  const std::uint32_t* px = image.pixels.data();
  const std::size_t bpp = std::size_t(bytesPerPixel_);
  for (int y = rect.y; y < rect.y + rect.height; ++y) {
    unsigned char* dst = map_.data() +
                         std::size_t(var_.yoffset + std::uint32_t(y)) * fix_.line_length +
                         (std::size_t(var_.xoffset) + std::size_t(rect.x)) * bpp;
    for (int x = rect.x; x < rect.x + rect.width; ++x, dst += bpp) {
      const std::uint32_t p = px[placement_.sourceIndex(x, y)];
      const std::uint32_t v =
          red_[(p >> 16) & 0xff] | green_[(p >> 8) & 0xff] | blue_[p & 0xff] | opaque_;
      // Pixel words are little-endian in memory (ARM and x86 framebuffers alike).
      switch (bpp) {
        case 4: {
          const std::uint32_t le = v;
          std::memcpy(dst, &le, 4);
          break;
        }
        case 2: {
          const auto le = static_cast<std::uint16_t>(v);
          std::memcpy(dst, &le, 2);
          break;
        }
        default:
          dst[0] = static_cast<unsigned char>(v);
          dst[1] = static_cast<unsigned char>(v >> 8);
          dst[2] = static_cast<unsigned char>(v >> 16);
          break;
      }
    }
  }
  lastRows_ += rect.height;
}

int FramebufferDisplay::show(const Image& image) {
  lastRows_ = 0;
  rewroteWhole_ = false;
  if (image.width <= 0 || image.height <= 0 || image.strideWords < image.width ||
      image.pixels.size() <
          std::size_t(image.strideWords) * std::size_t(image.height - 1) + std::size_t(image.width))
    return -EINVAL;
  if (!placement_.matches(image.width, image.height, image.strideWords)) {
    placement_ = Placement(image.width, image.height, image.strideWords, options_.rotation,
                           int(var_.xres), int(var_.yres), options_.fit);
    fresh_ = true;
  }
  // Once per frame, changed or not: one KDGETMODE and one clock read.
  if (console_ && console_->reclaim()) fresh_ = true;
  const std::chrono::nanoseconds now = clock_.now();
  if (now - lastWhole_ >= kRepaintEvery) fresh_ = true;
  Region rect = placement_.target();
  if (fresh_) {
    clearAround(rect);
    fresh_ = false;
    lastWhole_ = now;
    rewroteWhole_ = true;
  } else if (image.unchanged) {
    return 0;
  } else if (!image.damage.empty()) {
    rect = placement_.panelDamage(image.damage);
    if (rect.empty()) return 0;
  }
  writeRect(image, rect);
  return 0;
}

}  // namespace cb::hal
